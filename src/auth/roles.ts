import type { Db } from '../db/database';

/**
 * A person's role on one streamer: `OWNER` when they are the streamer's linked Twitch account,
 * `EDITOR` when the owner added them (streamer_editors). No role: the streamer is not theirs.
 */
export type StreamerRole = 'OWNER' | 'EDITOR';

/** What a scope names: a streamer, or a raffle or item of one (resolved to its streamer). */
export type StreamerTarget = { streamerId: string } | { raffleId: string } | { itemId: string } | { roundId: number };

/** The database side of authorization: roles and which streamer a resource belongs to. */
export interface AccessDirectory {
  roleOf(twitchUserId: string, streamerId: string): Promise<StreamerRole | null>;
  /** The streamer of the target; null when it does not exist. */
  streamerIdOf(target: StreamerTarget): Promise<string | null>;
}

export function createAccessDirectory(db: Db): AccessDirectory {
  return {
    async roleOf(twitchUserId, streamerId) {
      const streamer = await db.streamer.findUnique({
        where: { id: streamerId },
        select: { twitchUserId: true, editors: { where: { twitchUserId }, select: { twitchUserId: true } } },
      });
      if (!streamer) return null;
      if (streamer.twitchUserId === twitchUserId) return 'OWNER';
      return streamer.editors.length > 0 ? 'EDITOR' : null;
    },
    async streamerIdOf(target) {
      if ('streamerId' in target) return target.streamerId;
      if ('roundId' in target) {
        const round = await db.round.findUnique({ where: { id: target.roundId }, select: { raffle: { select: { streamerId: true } } } });
        return round?.raffle.streamerId ?? null;
      }
      const owner =
        'raffleId' in target
          ? await db.raffle.findUnique({ where: { id: target.raffleId }, select: { streamerId: true } })
          : await db.item.findUnique({ where: { id: target.itemId }, select: { streamerId: true } });
      return owner?.streamerId ?? null;
    },
  };
}
