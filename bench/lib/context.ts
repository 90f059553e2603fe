/** What every benchmark gets: the real services found (or the embedded fallbacks) and the mode. */
import { createScratchDatabase, realPostgresUrl, realRedisUrl } from '../../test/support/services';

export interface BenchContext {
  smoke: boolean;
  /** A PostgreSQL server URL (scratch databases are created on it), or undefined: embedded PGlite. */
  postgresUrl: string | undefined;
  redisUrl: string | undefined;
  /** Printed under the table and stored in results.json. */
  notes: string[];
  log(message: string): void;
  /** A new empty database on the server; dropped when the bench ends. */
  scratchDatabase(): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

export async function createBenchContext(smoke: boolean): Promise<BenchContext> {
  const postgresUrl = await realPostgresUrl();
  const redisUrl = await realRedisUrl();
  const notes: string[] = [];
  if (!postgresUrl) {
    notes.push(
      'PostgreSQL did not answer (TEST_DATABASE_URL or 127.0.0.1:5432): ran on the embedded PGlite database, ' +
        'one API instance only; figures are not comparable with a PostgreSQL run.',
    );
  }
  if (!redisUrl) {
    notes.push(
      'Redis did not answer (TEST_REDIS_URL or 127.0.0.1:6379): in-process pub/sub, one API instance holds every ' +
        'subscriber (and one bare ws server the floor).',
    );
  }
  const drops: Array<() => Promise<void>> = [];
  const started = performance.now();
  return {
    smoke,
    postgresUrl,
    redisUrl,
    notes,
    log(message) {
      process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
    },
    async scratchDatabase() {
      if (!postgresUrl) return undefined;
      const scratch = await createScratchDatabase(postgresUrl);
      drops.push(() => scratch.drop());
      return scratch.url;
    },
    async cleanup() {
      for (const drop of drops.splice(0).reverse()) await drop().catch(() => {});
    },
  };
}
