/**
 * Who could win right now: the chat as the raffle engine sees it (same source, same snapshot
 * cache), minus the broadcaster, configured bots and, while a raffle runs without repeat
 * winners, the people who already won in it (the same rules as a round).
 */
import { randomInt } from 'node:crypto';
import type { Chatter, ChatterSource } from '../chatters/chatter';
import { eligibleChatters } from '../chatters/eligibility';
import type { Db } from '../db/database';
import { InvalidStateError, NotFoundError } from '../errors/domain-errors';
import { HelixError } from './helix-errors';
import { TwitchAuthError } from './twitch-auth.client';
import { TwitchChatterSource } from './twitch-chatter-source';

export interface LiveChatters {
  /** Eligible chatters. */
  count: number;
  /** Everyone in the chat, before exclusions. */
  total: number;
  /** Up to `sampleSize` eligible chatters picked at random, in chat order. */
  sample: Chatter[];
  fetchedAt: Date;
}

export interface LiveChattersDeps {
  db: Db;
  chatters: ChatterSource;
  excludedLogins: readonly string[];
}

export const LIVE_CHATTERS_MAX_SAMPLE = 100;

export async function liveChatters(deps: LiveChattersDeps, streamerId: string, sampleSize: number): Promise<LiveChatters> {
  const { db, chatters } = deps;
  const streamer = await db.streamer.findUnique({ where: { id: streamerId }, select: { id: true, twitchUserId: true, login: true } });
  if (!streamer) throw new NotFoundError('Streamer', streamerId);
  let snapshot: { chatters: Chatter[]; fetchedAt: Date };
  try {
    snapshot =
      chatters instanceof TwitchChatterSource
        ? await chatters.snapshot(streamer)
        : { chatters: await chatters.listChatters(streamer), fetchedAt: new Date() };
  } catch (error) {
    if (error instanceof HelixError || error instanceof TwitchAuthError) {
      throw new InvalidStateError(`could not read the Twitch chat right now: ${error.message}`);
    }
    throw error;
  }
  const running = await db.raffle.findFirst({
    where: { streamerId, status: 'RUNNING' },
    select: { id: true, allowRepeatWinners: true },
  });
  const earlierWinners =
    running && !running.allowRepeatWinners
      ? await db.round.findMany({ where: { raffleId: running.id, outcome: 'WINNER' }, select: { winnerUserId: true } })
      : [];
  const eligible = eligibleChatters(snapshot.chatters, {
    excludeUserIds: [
      ...(streamer.twitchUserId ? [streamer.twitchUserId] : []),
      ...earlierWinners.flatMap((round) => (round.winnerUserId ? [round.winnerUserId] : [])),
    ],
    excludeLogins: [...deps.excludedLogins, ...(streamer.login ? [streamer.login] : [])],
  });
  const size = Math.max(0, Math.min(sampleSize, LIVE_CHATTERS_MAX_SAMPLE));
  return { count: eligible.length, total: snapshot.chatters.length, sample: sampleOf(eligible, size), fetchedAt: snapshot.fetchedAt };
}

function sampleOf<T>(list: readonly T[], size: number): T[] {
  if (list.length <= size) return list.slice();
  const picked = new Set<number>();
  while (picked.size < size) picked.add(randomInt(list.length));
  return [...picked].sort((a, b) => a - b).map((index) => list[index]!);
}
