import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';

/**
 * What this machine offers the suites that need more than the embedded database: a real
 * PostgreSQL and Redis (TEST_DATABASE_URL / TEST_REDIS_URL when set, as CI does, else the local
 * defaults when they answer), the redis-server binary (suites that kill and restart Redis) and
 * Chromium (the overlay page test). Probed once per run by global-setup.ts and handed to every
 * test file with vitest's provide/inject; suites declare what they need with `describeWith`
 * (./describe-with.ts).
 *
 * `KINOYU_TEST_SERVICES=none` makes every probe answer "missing": the run behaves as on a bare
 * machine. A TEST_DATABASE_URL / TEST_REDIS_URL that is set but does not answer fails the whole
 * run at once (a CI that meant to test against a service must not quietly skip it).
 */
export interface AvailableServices {
  /** Why suites that need a missing service are skipped when every probe was switched off. */
  disabledBy: string | undefined;
  postgresUrl: string | undefined;
  redisUrl: string | undefined;
  redisServerBinary: boolean;
  chromium: boolean;
}

const DEFAULT_PG = 'postgresql://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Runs in the vitest main process (global setup); `env` is process.env there. */
export async function probeServices(env: NodeJS.ProcessEnv): Promise<AvailableServices> {
  if (env.KINOYU_TEST_SERVICES === 'none') {
    return { disabledBy: 'KINOYU_TEST_SERVICES=none', postgresUrl: undefined, redisUrl: undefined, redisServerBinary: false, chromium: false };
  }
  const [postgresUrl, redisUrl] = await Promise.all([probePostgres(env.TEST_DATABASE_URL), probeRedis(env.TEST_REDIS_URL)]);
  return {
    disabledBy: undefined,
    postgresUrl,
    redisUrl,
    redisServerBinary: spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0,
    chromium: existsSync(CHROMIUM_PATH),
  };
}

async function probePostgres(configured: string | undefined): Promise<string | undefined> {
  const url = configured ?? DEFAULT_PG;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch (error) {
    if (configured) throw new Error(`TEST_DATABASE_URL ${url} does not answer: ${String(error)}`);
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(configured: string | undefined): Promise<string | undefined> {
  const url = configured ?? DEFAULT_REDIS;
  const { hostname, port } = new URL(url);
  const answers = await redisAnswers(hostname, Number(port || 6379), 2_000);
  if (!answers && configured) throw new Error(`TEST_REDIS_URL ${url} does not answer PING`);
  return answers ? url : undefined;
}

/** Whether a Redis server answers PING at host:port (raw RESP, no client library). */
export function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      resolve(false);
      socket.destroy();
    });
  });
}
