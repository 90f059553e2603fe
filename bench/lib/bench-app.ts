/**
 * One real API instance for the benchmarks: createApp with the tests' credentials, on the given
 * database (a fresh embedded PGlite when none) and Redis. Like the tests' startTestApp, without
 * anything that needs the vitest runner.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp, type AppOptions, type RunningApp } from '../../src/app/app';
import type { Services } from '../../src/app/services';
import { InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import { loadConfig, requireSecrets } from '../../src/config/config';
import { TEST_API_TOKEN } from '../../test/support/test-app';

export interface BenchApp {
  url: string;
  services: Services;
  chatters: InMemoryChatterSource;
  schedulerStats: RunningApp['schedulerStats'];
  stop(): Promise<void>;
}

export interface BenchAppOptions {
  databaseUrl?: string;
  redisUrl?: string;
  schedulerPollMs?: number;
  /**
   * TOKEN_ENCRYPTION_KEY (base64). Instances on one database must share it, as in production:
   * overlay keys are sealed and looked up by an HMAC derived from it, so an instance with another
   * key refuses every overlay key the first one made (4403). Default: a new one (one instance).
   */
  encryptionKey?: string;
  /** The scheduler's rounds with their due times (capacity bench). */
  onScheduledRound?: AppOptions['onScheduledRound'];
}

/** A TOKEN_ENCRYPTION_KEY for a group of bench instances on one database. */
export function benchEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

export async function startBenchApp(options: BenchAppOptions): Promise<BenchApp> {
  const dataDir = options.databaseUrl ? undefined : await mkdtemp(path.join(tmpdir(), 'kinoyu-bench-'));
  const config = requireSecrets(loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKEN: TEST_API_TOKEN,
    TOKEN_ENCRYPTION_KEY: options.encryptionKey ?? benchEncryptionKey(),
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    REDIS_URL: options.redisUrl,
    SCHEDULER_POLL_MS: String(options.schedulerPollMs ?? 1_000),
    // Local experiments: BENCH_SCHEDULER_CONCURRENCY=16 (default: the app's).
    SCHEDULER_CONCURRENCY: process.env.BENCH_SCHEDULER_CONCURRENCY,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    // The fan-out bench opens 10k sockets from loopback, 9 in 10 with one overlay key.
    LIVE_MAX_PER_OVERLAY_KEY: '1000000',
    LIVE_MAX_PER_ADDRESS: '1000000',
  }));
  const chatters = new InMemoryChatterSource();
  const app = createApp(config, { logger: pino({ level: config.log.level }), chatterSource: chatters, onScheduledRound: options.onScheduledRound });
  const running = await app.start();
  return {
    url: running.url,
    services: running.services,
    chatters,
    schedulerStats: running.schedulerStats,
    async stop() {
      await app.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
