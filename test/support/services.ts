import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/**
 * Real PostgreSQL and Redis for the suites that need them: TEST_DATABASE_URL / TEST_REDIS_URL when
 * set (CI sets them), else the machine's local services when they answer, else none (the suite
 * runs on embedded PGlite / in-process pub/sub, or says it is skipped).
 */
const DEFAULT_PG = 'postgresql://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/** `KINOYU_TEST_SERVICES=none` runs every suite as on a bare machine (embedded database only). */
const servicesDisabled = process.env.KINOYU_TEST_SERVICES === 'none';

let postgresProbe: Promise<string | undefined> | undefined;
let redisProbe: Promise<string | undefined> | undefined;

export function realPostgresUrl(): Promise<string | undefined> {
  postgresProbe ??= (async () => {
    if (servicesDisabled) return undefined;
    const url = process.env.TEST_DATABASE_URL ?? DEFAULT_PG;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch {
      if (process.env.TEST_DATABASE_URL) throw new Error(`TEST_DATABASE_URL ${url} does not answer`);
      return undefined;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresProbe;
}

export function realRedisUrl(): Promise<string | undefined> {
  redisProbe ??= (async () => {
    if (servicesDisabled) return undefined;
    const url = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS;
    const { hostname, port } = new URL(url);
    const answers = await redisAnswers(hostname, Number(port || 6379), 1_000);
    if (!answers && process.env.TEST_REDIS_URL) throw new Error(`TEST_REDIS_URL ${url} does not answer`);
    return answers ? url : undefined;
  })();
  return redisProbe;
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

/** A new empty database on the real server; drop it with the returned function. */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kinoyu_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
