import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createApp, type App, type AppOptions, type RunningApp } from '../../src/app/app';
import { InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import { loadConfig, requireSecrets, type ResolvedConfig } from '../../src/config/config';
import { embeddedDataDir } from './embedded-database';
import { createScratchDatabase, realPostgresUrl } from './services';

export const TEST_API_TOKEN = 'test-api-token-0123456789-abcdefghijklmnop';
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

export interface TestAppOptions extends AppOptions {
  /** Share a database between apps (several instances); default: a new one per app. */
  databaseUrl?: string;
  /** Force the embedded database even when PostgreSQL is available. */
  embedded?: boolean;
  env?: Record<string, string | undefined>;
}

export interface TestApp extends RunningApp {
  app: App;
  config: ResolvedConfig;
  chatters: InMemoryChatterSource;
  databaseUrl: string | undefined;
  stop(): Promise<void>;
}

/** Starts a real app on port 0 with its own database (real PostgreSQL when reachable, else PGlite). */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const cleanups: Array<() => Promise<void>> = [];
  let databaseUrl = options.databaseUrl;
  let dataDir: string | undefined;
  if (!databaseUrl && !options.embedded) {
    const server = await realPostgresUrl();
    if (server) {
      const scratch = await createScratchDatabase(server);
      databaseUrl = scratch.url;
      cleanups.push(() => scratch.drop());
    }
  }
  if (!databaseUrl) {
    const embedded = await embeddedDataDir();
    dataDir = embedded.dataDir;
    cleanups.push(embedded.remove);
  }
  const config = requireSecrets(loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKEN: TEST_API_TOKEN,
    TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    // A production-mode app in a test keeps its embedded database (no server here).
    ALLOW_EMBEDDED_DATABASE: dataDir ? 'true' : undefined,
    SCHEDULER_POLL_MS: '50',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  }));
  const chatters = options.chatterSource instanceof InMemoryChatterSource ? options.chatterSource : new InMemoryChatterSource();
  // With Twitch client credentials the app reads the (stand-in) Twitch chat unless told otherwise.
  const defaultChatters = config.twitch ? undefined : chatters;
  const app = createApp(config, {
    logger: pino({ level: config.log.level }),
    chatterSource: options.chatterSource ?? defaultChatters,
    ...options,
  });
  const running = await app.start();
  let stopped = false;
  return {
    ...running,
    app,
    config,
    chatters,
    databaseUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
