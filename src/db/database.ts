import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { DEFAULT_PREPARED_STATEMENTS, type Config } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
import type { SqlRunner } from './migrate';
import { statementNames } from './statement-names';
import { ensurePrivateDirectory, restrictTree } from '../fs/private-paths';

export type Db = PrismaClient;

/**
 * Prisma's other formats point an error at the caller's line, for which every query, also every
 * one that succeeds, captures a stack trace (new Error()) up front. Errors keep their class, code
 * and message; logs keep the stack of where they were handled.
 */
const ERROR_FORMAT = 'minimal';

export interface Database {
  kind: 'postgres' | 'pglite';
  prisma: Db;
  /** A runner on its own session, for migrations (advisory lock) and health checks. */
  openSqlRunner(): Promise<SqlRunner>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one place that builds the Prisma client: PostgreSQL through `@prisma/adapter-pg` when
 * DATABASE_URL is set, otherwise an embedded PGlite persisted under DATA_DIR (owner-only: the
 * directories 0700, the files 0600).
 */
export async function openDatabase(config: Pick<Config, 'database'>): Promise<Database> {
  if (config.database.url) return openPostgres(config.database.url, config.database.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS);
  await ensurePrivateDirectory(config.database.dataDir);
  return openPglite(path.join(config.database.dataDir, 'pglite'));
}

function namedStatements(max: number): ConstructorParameters<typeof PrismaPg>[1] {
  if (max === 0) return undefined;
  const nameOf = statementNames(max);
  return { statementNameGenerator: ({ sql }) => nameOf(sql) };
}

function openPostgres(url: string, preparedStatements: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {
    // An idle client lost its connection (database restart). The pool replaces it; the query that
    // needs it reports the error where it can be handled.
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, namedStatements(preparedStatements)), errorFormat: ERROR_FORMAT });
  return {
    kind: 'postgres',
    prisma,
    async openSqlRunner() {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      return {
        query: async <Row>(sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as Row[],
        exec: async (sql: string) => {
          await client.query(sql);
        },
        close: () => client.end(),
      };
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

async function openPglite(directory: string): Promise<Database> {
  await ensurePrivateDirectory(directory);
  const pglite = await PGlite.create(directory);
  // PGlite writes its files 0666 (and a few later with the umask, e.g. pg_internal.init at its
  // first query); DATA_DIR at 0700 already keeps others out, this keeps the files owner-only too.
  await pglite.query('SELECT 1');
  await restrictTree(directory);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), errorFormat: ERROR_FORMAT });
  return {
    kind: 'pglite',
    prisma,
    async openSqlRunner() {
      // PGlite is a single in-process session: the runner shares it and closing it is a no-op.
      return {
        query: async <Row>(sql: string, params: unknown[] = []) =>
          (await pglite.query<Row>(sql, params)).rows,
        exec: async (sql: string) => {
          await pglite.exec(sql);
        },
        close: async () => {},
      };
    },
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      await restrictTree(directory);
    },
  };
}
