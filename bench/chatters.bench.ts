/**
 * Chatters of a big channel: the Twitch stand-in (own process) serves N chatters (pages overlap as
 * on Twitch) with a fixed latency per page; the app's TwitchChatterSource pages through them all and the
 * engine's eligibility rules give the eligible list. Floor: Get Chatters is cursor-paginated, so
 * the pages can only be fetched one after the other: pages × latency.
 * Also: dedupe + eligibility + the crypto pick on the full list (CPU only), and the heap held by
 * one snapshot of the channel.
 */
import { eligibleChatters } from '../src/chatters/eligibility';
import type { Chatter } from '../src/chatters/chatter';
import { loadConfig } from '../src/config/config';
import { cryptoRandom } from '../src/raffles/random-source';
import { createHelixClient, UniqueChatters } from '../src/twitch/api';
import { TwitchChatterSource } from '../src/twitch/chat/twitch-chatter-source';
import type { BenchContext } from './lib/context';
import { settledMemory, spawnWorker } from './lib/rpc';
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
  /** What a round spends on the list: eligibility + pick over the unique chatters (median), ms. */
  dedupePickMs: number;
  /** The Helix client's dedupe, done page by page while the next page is awaited: total, ms. */
  dedupeMs: number;
  /** ...and its slowest single page, ms. */
  dedupeSlowestPageMs: number;
  eligibilityMs: number;
  /** Heap held by one snapshot (every chatter once), bytes; and per chatter. */
  heldBytes: number;
  heldBytesPerChatter: number;
  problems: string[];
}

const BROADCASTER = { id: '1001', login: 'kinoyu', displayName: 'KinoYu' };

export async function runChatters(context: BenchContext, options: ChattersOptions): Promise<ChattersResult> {
  const twitch = spawnWorker(new URL('./workers/twitch-worker.ts', import.meta.url), { name: 'twitch' });
  const problems: string[] = [];
  try {
    const { apiUrl, clientId, accessToken } = await twitch.call<{ apiUrl: string; clientId: string; accessToken: string }>(
      'start',
      { pageLatencyMs: options.pageLatencyMs, broadcaster: BROADCASTER, chatters: options.chatters },
      120_000,
    );
    const helix = createHelixClient({ apiUrl, clientId });
    // ttlMs 0: every call fetches again (concurrent calls would share one fetch).
    const source = new TwitchChatterSource({ helix, credentials: { tokenSource: () => ({ getAccessToken: () => accessToken }) }, ttlMs: 0 });
    const owner = { id: 'bench-streamer', twitchUserId: BROADCASTER.id, login: BROADCASTER.login };
    const excludeLogins = loadConfig({ NODE_ENV: 'test' }).raffle.excludedLogins;
    // Earlier winners of the raffle: 50 of the chatters to exclude, as in a long raffle (the stand-in's
    // ids are 500000000 + i).
    const earlierWinners = Array.from({ length: 50 }, (_, index) => String(500_000_000 + Math.floor((index * options.chatters) / 50)));
    const rules = { excludeUserIds: [BROADCASTER.id, ...earlierWinners], excludeLogins: [...excludeLogins, BROADCASTER.login] };

    // One untimed fetch without latency first: connections, JIT and caches are warm for the trials.
    await twitch.call('setPageLatency', { ms: 0 });
    await source.snapshot(owner);
    await twitch.call('setPageLatency', { ms: options.pageLatencyMs });
    const times: number[] = [];
    let pages = 0;
    for (let trial = 0; trial < options.trials; trial += 1) {
      await twitch.call('refill'); // a full rate-limit bucket for each trial, as for a round a while apart
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

    // The pages as Twitch sent them, overlaps included, for the CPU-only timings: the dedupe runs
    // page by page while the next page is awaited (UniqueChatters in the Helix client); what a
    // round adds is the eligibility filter and the pick over the unique list.
    await twitch.call('setPageLatency', { ms: 0 });
    await twitch.call('refill');
    const rawPages: Chatter[][] = [];
    let cursor: string | undefined;
    for (let page = 0; page < pages; page += 1) {
      const result = await helix.getChattersPage({
        broadcasterId: BROADCASTER.id,
        moderatorId: BROADCASTER.id,
        token: accessToken,
        first: 1000,
        ...(cursor ? { after: cursor } : {}),
      });
      rawPages.push(result.chatters);
      if (!result.cursor) break;
      cursor = result.cursor;
    }
    const steps = { total: [] as number[], dedupe: [] as number[], dedupePerPage: [] as number[], eligibility: [] as number[] };
    for (let repeat = 0; repeat < 15; repeat += 1) {
      const unique = new UniqueChatters();
      let slowestPage = 0;
      const dedupeStarted = performance.now();
      for (const page of rawPages) {
        const pageStarted = performance.now();
        unique.addAll(page);
        slowestPage = Math.max(slowestPage, performance.now() - pageStarted);
      }
      const started = performance.now();
      const eligible = eligibleChatters(unique.list, rules);
      const ruled = performance.now();
      const winner = eligible[cryptoRandom.index(eligible.length)];
      const picked = performance.now();
      steps.total.push(picked - started);
      steps.dedupe.push(started - dedupeStarted);
      steps.dedupePerPage.push(slowestPage);
      steps.eligibility.push(ruled - started);
      if (!winner) problems.push('chatters: no winner picked');
    }

    // Heap held by one snapshot: what a cached chat costs while a raffle runs.
    await twitch.call('refill');
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
      dedupePickMs: round(median(steps.total), 3),
      dedupeMs: round(median(steps.dedupe), 3),
      dedupeSlowestPageMs: round(median(steps.dedupePerPage), 3),
      eligibilityMs: round(median(steps.eligibility), 3),
      heldBytes,
      heldBytesPerChatter: heldBytes / options.chatters,
      problems,
    };
  } finally {
    await twitch.stop();
  }
}
