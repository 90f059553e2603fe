import type { FastifyPluginAsync } from 'fastify';
import type { ProofService } from './proof.service';

const ROUND_ID = /^[1-9][0-9]{0,15}$/;

/**
 * `GET /rounds/<roundId>/proof.json`: a round's public proof bundle (FAIRNESS.md), no credential.
 * Unknown or malformed ids get 404 with a JSON body that says why. A final bundle (drand, or a
 * sealed raffle that has ended) is cacheable; a sealed one still waiting for its seed is not.
 */
export function proofRoutes(proofs: Pick<ProofService, 'proof'>): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { roundId: string } }>('/rounds/:roundId/proof.json', async (request, reply) => {
      const { roundId } = request.params;
      const id = ROUND_ID.test(roundId) ? Number(roundId) : null;
      const answer = id !== null && Number.isSafeInteger(id) ? await proofs.proof(id) : null;
      if (!answer) {
        return reply
          .status(404)
          .header('cache-control', 'no-store')
          .send({ error: 'NOT_FOUND', message: `no provable round with id ${JSON.stringify(roundId)}` });
      }
      return reply
        .header('cache-control', answer.final ? 'public, max-age=3600' : 'no-cache')
        .header('access-control-allow-origin', '*')
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(answer.bundle));
    });
  };
}
