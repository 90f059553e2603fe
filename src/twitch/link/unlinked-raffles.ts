/**
 * A streamer whose Twitch link ended must not keep a raffle running. The RoundRunner already ends
 * a raffle with TWITCH_UNLINKED (and publishes ENDED) when its chatter source throws
 * TwitchNotLinkedError; this forces a round so that path runs now instead of at the next
 * interval, which may be an hour away. With the link gone the Twitch chatter source throws before
 * anything is drawn.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import type { RoundRunner } from '../../raffles/round-runner';

export interface EndRafflesDeps {
  db: Db;
  rounds: Pick<RoundRunner, 'run'>;
  logger: Logger;
  /** How long to wait for a round in flight elsewhere to release the raffle; default 30 s. */
  waitMs?: number;
}

export async function endRafflesOfUnlinkedStreamer(deps: EndRafflesDeps, streamerId: string): Promise<void> {
  const { db, rounds, logger } = deps;
  const deadline = Date.now() + (deps.waitMs ?? 30_000);
  for (;;) {
    const raffle = await db.raffle.findFirst({ where: { streamerId, status: 'RUNNING' }, select: { id: true } });
    if (!raffle) return;
    // Linked again meanwhile: the raffle may go on.
    if ((await db.twitchCredential.count({ where: { streamerId } })) > 0) return;
    const result = await rounds.run(raffle.id, { force: true });
    if (result.kind === 'failed') {
      const after = await db.raffle.findUnique({ where: { id: raffle.id }, select: { status: true, endReason: true } });
      if (after?.status !== 'RUNNING') logger.info({ streamerId, raffleId: raffle.id, endReason: after?.endReason }, 'raffle of an unlinked streamer ended');
      return;
    }
    if (result.kind === 'round') {
      // Only when nothing was left to win (the raffle then ends by itself), or when the chatter
      // source is not Twitch's (a demo source knows nothing of links): never draw again here.
      if (result.raffle.status === 'RUNNING') {
        logger.warn({ streamerId, raffleId: raffle.id }, 'the chatter source did not refuse an unlinked streamer; raffle left running');
      }
      return;
    }
    if (Date.now() > deadline) {
      logger.warn({ streamerId, raffleId: raffle.id }, 'raffle of an unlinked streamer still busy; its next round will end it');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
