/**
 * Chat ingestion on one instance: the Twitch stand-in (own process) sends channel.chat.message
 * notifications over a real EventSub WebSocket as fast as it can; the app's ChatConsumer parses,
 * dedupes, filters (Shared Chat, start time), matches the keyword and batches entries into
 * PostgreSQL (INSERT … unnest … ON CONFLICT DO NOTHING). Measured: chat messages per second from
 * the first message sent to the last entry committed. Half the messages are the keyword from a
 * new person each (an entry row), half do not enter.
 * Floor, same run: the same entry rows written by a bare pg client in the same batches (what the
 * database alone allows), interleaved with the measured trials.
 */
import pg from 'pg';
import pino from 'pino';
import { ChatConsumer } from '../src/twitch/eventsub/chat-consumer';
import { createHelixClient } from '../src/twitch/api';
import { createStreamer } from '../test/support/factories';
import type { BenchContext } from './lib/context';
import { startBenchApp } from './lib/bench-app';
import { spawnWorker } from './lib/rpc';
import { median } from './lib/stats';

export interface ChatIngestOptions {
  messages: number;
  trials: number;
}

export interface ChatIngestResult {
  messages: number;
  entriesPerTrial: number;
  trials: number;
  /** Messages per second, each trial. */
  rates: number[];
  rate: number;
  /** The stand-in's own send time per trial (ms): the sender is not the bottleneck when well below. */
  sendMs: number[];
  floorRates: number[];
  floorRate: number;
  batches: number;
  problems: string[];
}

export async function runChatIngest(context: BenchContext, options: ChatIngestOptions): Promise<ChatIngestResult> {
  const problems: string[] = [];
  const twitch = spawnWorker(new URL('./workers/eventsub-worker.ts', import.meta.url), { name: 'eventsub' });
  const databaseUrl = await context.scratchDatabase();
  const app = await startBenchApp({ ...(databaseUrl ? { databaseUrl } : {}) });
  const db = app.services.db;
  let consumer: ChatConsumer | undefined;
  const floorClient = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : undefined;
  try {
    const stand = await twitch.call<{ apiUrl: string; eventsubUrl: string; clientId: string; accessToken: string; broadcaster: { id: string; login: string } }>('start');
    const registered = await createStreamer(app.url);
    const streamer = await db.streamer.update({ where: { id: registered.id }, data: { twitchUserId: stand.broadcaster.id, login: stand.broadcaster.login } });
    await db.twitchCredential.create({ data: { streamerId: streamer.id, accessTokenEnc: 'unused', refreshTokenEnc: 'unused', scopes: ['user:read:chat'] } });
    const raffles: string[] = [];
    const newRaffle = async () => {
      await db.raffle.updateMany({ where: { streamerId: streamer.id, status: 'RUNNING' }, data: { status: 'STOPPED', endReason: 'STOPPED', endedAt: new Date() } });
      const raffle = await db.raffle.create({
        data: {
          streamerId: streamer.id,
          intervalSeconds: 3600,
          drawChance: 1,
          nextRoundAt: new Date(Date.now() + 3_600_000),
          startedAt: new Date(Date.now() - 1000),
          entryMode: 'KEYWORD',
          entryKeyword: 'sorteio',
        },
      });
      raffles.push(raffle.id);
      return raffle.id;
    };
    let raffleId = await newRaffle();
    consumer = new ChatConsumer({
      db,
      helix: createHelixClient({ apiUrl: stand.apiUrl, clientId: stand.clientId }),
      credentials: { tokenSource: () => ({ getAccessToken: () => stand.accessToken }) },
      logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
      instanceId: 'bench',
      url: stand.eventsubUrl,
      leaseSeconds: 30,
      pollMs: 60_000,
    });
    consumer.start();
    await twitch.call('waitForSubscription', {}, 40_000);
    await floorClient?.connect();

    const count = () => db.raffleEntry.count({ where: { raffleId } });
    const rates: number[] = [];
    const sendMs: number[] = [];
    const floorRates: number[] = [];
    const entriesPerTrial = Math.ceil(options.messages / 2);
    let offset = 0;
    // One small warm-up round (JIT, connections), untimed.
    const warmup = Math.min(2_000, options.messages);
    await twitch.call('blast', { count: warmup, offset }, 120_000);
    offset += warmup;
    await waitFor(async () => (await count()) >= Math.ceil(warmup / 2), 60_000);

    for (let trial = 0; trial < options.trials; trial += 1) {
      raffleId = await newRaffle();
      await consumer.pollNow();
      const started = performance.now();
      const sent = await twitch.call<{ sendMs: number }>('blast', { count: options.messages, offset }, 300_000);
      offset += options.messages;
      await waitFor(async () => consumer!.writer.pending === 0 && (await count()) >= entriesPerTrial, 300_000);
      const elapsed = performance.now() - started;
      rates.push((options.messages * 1000) / elapsed);
      sendMs.push(sent.sendMs);
      const got = await count();
      if (got !== entriesPerTrial) problems.push(`chat-ingest: trial ${trial} has ${got} entries, expected ${entriesPerTrial}`);

      // Floor: the same number of rows through bare pg in the same batch size (1000).
      if (floorClient) {
        const floorRaffle = await newRaffle();
        const floorStarted = performance.now();
        for (let start = 0; start < entriesPerTrial; start += 1000) {
          const n = Math.min(1000, entriesPerTrial - start);
          const ids = Array.from({ length: n }, (_, i) => String(90_000_000 + offset + start + i));
          await floorClient.query(
            `INSERT INTO raffle_entries (raffle_id, user_id, login, display_name, subscriber, vip, moderator, first_message_at, message_id, source_broadcaster_id)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[], $7::boolean[], $8::timestamptz[], $9::text[], $10::text[])
             ON CONFLICT (raffle_id, user_id) DO NOTHING`,
            [
              ids.map(() => floorRaffle),
              ids,
              ids.map((id) => `viewer${id}`),
              ids.map((id) => `Viewer${id}`),
              ids.map((id) => Number(id) % 10 === 0),
              ids.map(() => false),
              ids.map(() => false),
              ids.map(() => new Date().toISOString()),
              ids.map((id) => `m-${id}`),
              ids.map(() => null),
            ],
          );
        }
        // The floor sends only the entry rows; per chat message that is twice the rate.
        floorRates.push((options.messages * 1000) / (performance.now() - floorStarted));
      }
    }
    return {
      messages: options.messages,
      entriesPerTrial,
      trials: options.trials,
      rates,
      rate: median(rates),
      sendMs,
      floorRates,
      floorRate: floorRates.length > 0 ? median(floorRates) : Number.NaN,
      batches: consumer.writer.stats.batches,
      problems,
    };
  } finally {
    await consumer?.stop().catch(() => {});
    await floorClient?.end().catch(() => {});
    await app.stop();
    await twitch.stop();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('chat-ingest: entries did not all arrive in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
