/**
 * Chatters of a big channel: the Twitch stand-in serves N chatters (pages overlap as on Twitch)
 * with a fixed latency per page; the app's TwitchChatterSource pages through them all and the
 * engine's eligibility rules give the eligible list. Floor: Get Chatters is cursor-paginated, so
 * the pages can only be fetched one after the other: pages × latency.
 * Also: dedupe + eligibility + the crypto pick on the full list (CPU only), and the heap held by
 * one snapshot of the channel.
 */
import { eligibleChatters } from '../src/chatters/eligibility';
import type { Chatter } from '../src/chatters/chatter';
import { loadConfig } from '../src/config/config';
import { cryptoRandom } from '../src/raffles/random-source';
import { dedupeChatters } from '../src/twitch/chatters';
import { createHelixClient } from '../src/twitch/helix.client';
import { TwitchChatterSource } from '../src/twitch/twitch-chatter-source';
import { createFakeTwitch } from '../test/stand-ins/twitch/fake-twitch';
import type { BenchContext } from './lib/context';
import { settledMemory } from './lib/rpc';
import { median, round, summarize, type Summary } from './lib/stats';

export interface ChattersOptions {
  chatters: number;
  pageLatencyMs: number;
  trials: number;
}

export interface ChattersResult {
  chatters: number;
  pages: number;
  pageLatencyMs: number;
  trials: number;
  /** Time to the eligible list, ms. */
  fetch: Summary;
  floorMs: number;
  ratio: number;
  /** Dedupe + eligibility + pick over the whole list, CPU only (median of repeats), ms. */
  dedupePickMs: number;
  /** Heap held by one snapshot (every chatter once), bytes; and per chatter. */
  heldBytes: number;
  heldBytesPerChatter: number;
  problems: string[];
}

const BROADCASTER = { id: '1001', login: 'kinoyu', displayName: 'KinoYu' };

export async function runChatters(context: BenchContext, options: ChattersOptions): Promise<ChattersResult> {
  const twitch = await createFakeTwitch({ pageLatencyMs: options.pageLatencyMs });
  const problems: string[] = [];
  try {
    twitch.addUser(BROADCASTER);
    const { accessToken } = twitch.issueToken({ userId: BROADCASTER.id, scopes: ['moderator:read:chatters'] });
    twitch.generateChatters(BROADCASTER.id, options.chatters, { overlapPages: true });
    const helix = createHelixClient({ apiUrl: twitch.apiUrl, clientId: twitch.clientId });
    // ttlMs 0: every call fetches again (concurrent calls would share one fetch).
    const source = new TwitchChatterSource({ helix, credentials: { tokenSource: () => ({ getAccessToken: () => accessToken }) }, ttlMs: 0 });
    const owner = { id: 'bench-streamer', twitchUserId: BROADCASTER.id, login: BROADCASTER.login };
    const excludeLogins = loadConfig({ NODE_ENV: 'test' }).raffle.excludedLogins;
    // Earlier winners of the raffle: a few dozen ids to exclude, as in a long raffle.
    const earlierWinners = Array.from({ length: 50 }, (_, index) => String(500_000_000 + index * 997));
    const rules = { excludeUserIds: [BROADCASTER.id, ...earlierWinners], excludeLogins: [...excludeLogins, BROADCASTER.login] };

    const times: number[] = [];
    let pages = 0;
    for (let trial = 0; trial < options.trials; trial += 1) {
      twitch.throttle(800); // a full rate-limit bucket for each trial, as for a real round a while apart
      const started = performance.now();
      const snapshot = await source.snapshot(owner);
      const eligible = eligibleChatters(snapshot.chatters, rules);
      times.push(performance.now() - started);
      pages = snapshot.pages;
      if (snapshot.chatters.length !== options.chatters) problems.push(`chatters: got ${snapshot.chatters.length} of ${options.chatters}`);
      if (eligible.length !== options.chatters - earlierWinners.length) {
        problems.push(`chatters: ${eligible.length} eligible, expected ${options.chatters - earlierWinners.length}`);
      }
      context.log(`chatters trial ${trial + 1}: ${Math.round(times.at(-1)!)} ms for ${pages} pages`);
    }

    // The list as Twitch sent it, page overlaps included, for the CPU-only dedupe + pick timing.
    twitch.setPageLatency(0);
    twitch.throttle(800);
    const raw: Chatter[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < pages; page += 1) {
      const result = await helix.getChattersPage({
        broadcasterId: BROADCASTER.id,
        moderatorId: BROADCASTER.id,
        token: accessToken,
        first: 1000,
        ...(cursor ? { after: cursor } : {}),
      });
      raw.push(...result.chatters);
      if (!result.cursor) break;
      cursor = result.cursor;
    }
    const pickTimes: number[] = [];
    for (let repeat = 0; repeat < 15; repeat += 1) {
      const started = performance.now();
      const unique = dedupeChatters(raw);
      const eligible = eligibleChatters(unique, rules);
      const winner = eligible[cryptoRandom.index(eligible.length)];
      pickTimes.push(performance.now() - started);
      if (!winner) problems.push('chatters: no winner picked');
    }

    // Heap held by one snapshot: what a cached chat costs while a raffle runs.
    twitch.throttle(800);
    const before = settledMemory().heapUsed;
    const held = await source.snapshot(owner);
    const after = settledMemory().heapUsed;
    const heldBytes = after - before;
    if (held.chatters.length !== options.chatters) problems.push('chatters: the held snapshot is incomplete');

    const fetch = summarize(times);
    const floorMs = pages * options.pageLatencyMs;
    return {
      chatters: options.chatters,
      pages,
      pageLatencyMs: options.pageLatencyMs,
      trials: options.trials,
      fetch,
      floorMs,
      ratio: fetch.p50 / floorMs,
      dedupePickMs: round(median(pickTimes), 3),
      heldBytes,
      heldBytesPerChatter: heldBytes / options.chatters,
      problems,
    };
  } finally {
    await twitch.close();
  }
}
