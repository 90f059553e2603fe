/**
 * Named (prepared) statements on PostgreSQL: which texts get a name, that each pooled connection
 * prepares a named text once and then reuses it, that a failed execution leaves the statement
 * usable, and that DATABASE_PREPARED_STATEMENTS=0 prepares nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { statementNames } from '../../src/db/statement-names';
import { describeWith } from '../support/describe-with';
import { useDatabases } from '../support/started';

const { postgres } = useDatabases();

describe('statementNames', () => {
  it('gives each distinct text one name, and no name once `max` texts have one', () => {
    const nameOf = statementNames(2);
    const first = nameOf('SELECT 1');
    const second = nameOf('SELECT 2');
    expect(first).toMatch(/^kinoyu_\d+$/);
    expect(second).toMatch(/^kinoyu_\d+$/);
    expect(second).not.toBe(first);
    expect(nameOf('SELECT 1')).toBe(first);
    expect(nameOf('SELECT 3')).toBe('');
    expect(nameOf('SELECT 2')).toBe(second);
  });
});

/** The named statements of the pooled connection this query lands on (sequential queries reuse one). */
async function preparedHere(database: Database): Promise<Array<{ name: string; statement: string }>> {
  return database.prisma.$queryRaw<Array<{ name: string; statement: string }>>`
    SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'kinoyu\\_%' ORDER BY name`;
}

describeWith({ postgres: true }, 'prepared statements on PostgreSQL', ({ postgresUrl }) => {
  it('prepares a repeated text once per connection and runs it with new values each time', async () => {
    const database = await postgres(postgresUrl);
    for (const value of [1, 2, 3]) {
      const [row] = await database.prisma.$queryRaw<Array<{ doubled: number }>>`SELECT (${value}::int * 2) AS doubled`;
      expect(row!.doubled).toBe(value * 2);
    }
    const prepared = await preparedHere(database);
    expect(prepared.filter((row) => row.statement.includes('AS doubled'))).toHaveLength(1);
  });

  it('keeps a named statement usable after an execution of it failed', async () => {
    const database = await postgres(postgresUrl);
    const divide = (by: number) => database.prisma.$queryRaw<Array<{ quotient: number }>>`SELECT (10 / ${by}::int) AS quotient`;
    expect((await divide(5))[0]!.quotient).toBe(2);
    await expect(divide(0)).rejects.toThrow(/division by zero/);
    expect((await divide(2))[0]!.quotient).toBe(5);
  });

  it('names no more than DATABASE_PREPARED_STATEMENTS texts, and runs the others unnamed', async () => {
    const database = await postgres(postgresUrl, { preparedStatements: 2 });
    const answers = [];
    for (let n = 0; n < 5; n += 1) answers.push(await database.prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT ${n}::int AS n`));
    expect(answers.map(([row]) => row!.n)).toEqual([0, 1, 2, 3, 4]);
    expect((await preparedHere(database)).length).toBeLessThanOrEqual(2);
  });

  it('prepares nothing when DATABASE_PREPARED_STATEMENTS is 0', async () => {
    const database = await postgres(postgresUrl, { preparedStatements: 0 });
    await database.prisma.$queryRaw`SELECT 1 AS one`;
    await database.prisma.$queryRaw`SELECT 1 AS one`;
    expect(await preparedHere(database)).toEqual([]);
  });
});
