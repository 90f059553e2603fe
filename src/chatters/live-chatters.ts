/**
 * Who could win right now: the chat as the raffle engine sees it (same source, same snapshot),
 * minus who a round would leave out (exclusionRules, shared with the rounds).
 */
import { randomInt } from 'node:crypto';
import type { Db } from '../db/database';
import { InvalidStateError, NotFoundError } from '../errors/domain-errors';
import { ChatUnavailableError, type ChatSnapshot, type Chatter, type ChatterSource } from './chatter';
import { eligibleChatters, exclusionRules } from './eligibility';

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
  let snapshot: ChatSnapshot;
  try {
    snapshot = await chatters.snapshot(streamer);
  } catch (error) {
    if (error instanceof ChatUnavailableError) throw new InvalidStateError(error.message);
    throw error;
  }
  const raffle = await db.raffle.findFirst({
    where: { streamerId, status: 'RUNNING' },
    select: { id: true, allowRepeatWinners: true },
  });
  const rules = await exclusionRules(db, { streamer, raffle, excludedLogins: deps.excludedLogins });
  const eligible = eligibleChatters(snapshot.chatters, rules);
  const size = Math.max(0, Math.min(sampleSize, LIVE_CHATTERS_MAX_SAMPLE));
  return { count: eligible.length, total: snapshot.chatters.length, sample: sampleOf(eligible, size), fetchedAt: snapshot.fetchedAt };
}

function sampleOf<T>(list: readonly T[], size: number): T[] {
  if (list.length <= size) return list.slice();
  const picked = new Set<number>();
  while (picked.size < size) picked.add(randomInt(list.length));
  return [...picked].sort((a, b) => a - b).flatMap((index) => {
    const item = list[index];
    return item === undefined ? [] : [item];
  });
}
