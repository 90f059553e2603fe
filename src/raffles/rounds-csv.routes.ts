import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { PrincipalResolver } from '../auth/principal-resolver';
import { RequestAccess } from '../auth/request-access';
import type { AccessDirectory } from '../auth/roles';
import type { Db } from '../db/database';
import { roundsCsv } from './rounds-csv';

export interface RoundsCsvRouteDeps {
  db: Db;
  principals: Pick<PrincipalResolver, 'fromHeaders'>;
  access: AccessDirectory;
  publicUrl(): string;
  logger: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /raffles/<raffleId>/rounds.csv`: every round of a raffle as CSV (columns in rounds-csv.ts),
 * streamed from the database a page at a time, as an attachment. Who may steer the raffle's
 * streamer may download it: the dashboard's session cookie (its owner or an editor) or the
 * service's Bearer token. Anyone else: 403 with a sentence; an unknown raffle: 404.
 */
export function roundsCsvRoutes(deps: RoundsCsvRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { raffleId: string } }>('/raffles/:raffleId/rounds.csv', async (request, reply) => {
      const { raffleId } = request.params;
      const principal = await deps.principals.fromHeaders(request.headers);
      if (principal.kind === 'anonymous') {
        return text(reply, 403, 'Log in on the dashboard (or send the service token) to download the rounds of a raffle.');
      }
      const raffle = UUID.test(raffleId)
        ? await deps.db.raffle.findUnique({ where: { id: raffleId }, select: { id: true, streamerId: true } })
        : null;
      if (!raffle) return text(reply, 404, 'There is no such raffle.');
      const allowed = await new RequestAccess(principal, deps.access).may('steer', { streamerId: raffle.streamerId });
      if (!allowed) return text(reply, 403, 'This raffle belongs to a streamer you do not steer: ask its owner to add you as an editor.');
      const csv = roundsCsv(deps.db, raffle.id, deps.publicUrl(), (error) =>
        deps.logger.error({ err: error, raffleId: raffle.id }, 'rounds CSV failed while streaming'),
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="raffle-${raffle.id}-rounds.csv"`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(csv);
    });
  };
}

function text(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(message);
}
