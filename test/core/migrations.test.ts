import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate, MIGRATIONS_DIR, readMigrations } from '../../src/db/migrate';
import { describeWith } from '../support/describe-with';
import { useDatabases } from '../support/started';
import { createScratchDatabase } from '../support/services';

const logger = pino({ level: 'silent' });
const { embedded, postgres, defer } = useDatabases();

async function migrateOnce(database: Database, directory = MIGRATIONS_DIR) {
  const runner = await database.openSqlRunner();
  try {
    return await migrate(runner, logger, directory);
  } finally {
    await runner.close();
  }
}

describe('migrations on embedded PGlite', () => migrationCases(embedded));
describeWith({ postgres: true }, 'migrations on PostgreSQL', ({ postgresUrl }) => migrationCases(() => postgres(postgresUrl)));

function migrationCases(open: () => Promise<Database>) {
  it('applies every migration once and records it as prisma migrate does', async () => {
    const database = await open();
    const expected = (await readMigrations()).map((migration) => migration.name);
    expect(await migrateOnce(database)).toEqual(expected);
    expect(await migrateOnce(database)).toEqual([]);
    const rows = await database.prisma.$queryRaw<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[]>`
      SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`;
    const files = await readMigrations();
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(files.map((file) => [file.name, file.checksum]));
    expect(rows.every((row) => row.finished_at !== null && row.applied_steps_count === 1)).toBe(true);
    const functions = await database.prisma.$queryRaw<{ proname: string }[]>`SELECT proname FROM pg_proc WHERE proname = 'make_raffle'`;
    expect(functions).toHaveLength(1);
  });

  it('enforces the data rules in the database itself', async () => {
    const database = await open();
    await migrateOnce(database);
    const streamer = await database.prisma.streamer.create({ data: { guildId: '100000', legacyOverlayKey: 'k' } });
    // Every streamer has an overlay key: the legacy plaintext one or both sealed columns.
    await expect(database.prisma.streamer.create({ data: { guildId: '100001' } })).rejects.toThrow();
    await expect(database.prisma.streamer.create({ data: { guildId: '100002', overlayKeyHash: 'h' } })).rejects.toThrow();
    const bad = [
      { weight: 0, stock: 1, remaining: 1 },
      { weight: 1, stock: 0, remaining: 0 },
      { weight: 1, stock: 1, remaining: 2 },
    ];
    for (const values of bad) {
      await expect(database.prisma.item.create({ data: { streamerId: streamer.id, name: 'x', ...values } })).rejects.toThrow();
    }
    await database.prisma.raffle.create({ data: { streamerId: streamer.id, intervalSeconds: 5, drawChance: 1, nextRoundAt: new Date() } });
    await expect(
      database.prisma.raffle.create({ data: { streamerId: streamer.id, intervalSeconds: 5, drawChance: 1, nextRoundAt: new Date() } }),
    ).rejects.toThrow();
    await expect(
      database.prisma.raffle.create({ data: { streamerId: streamer.id, status: 'STOPPED', endedAt: new Date(), intervalSeconds: 5, drawChance: 1.5, nextRoundAt: new Date() } }),
    ).rejects.toThrow();
    // Twitch-only streamers: any number without a guild, but each has a Twitch account, one streamer per account.
    await database.prisma.streamer.create({ data: { guildId: null, twitchUserId: '900001', legacyOverlayKey: 'k1' } });
    await database.prisma.streamer.create({ data: { guildId: null, twitchUserId: '900002', legacyOverlayKey: 'k2' } });
    await expect(database.prisma.streamer.create({ data: { guildId: null, twitchUserId: '900001', legacyOverlayKey: 'k3' } })).rejects.toThrow();
    await expect(database.prisma.streamer.create({ data: { guildId: null, legacyOverlayKey: 'k4' } })).rejects.toThrow();
    await expect(database.prisma.streamer.create({ data: { guildId: '100000', legacyOverlayKey: 'k5' } })).rejects.toThrow();
    // A pending link is a guild's or a person's, never both or neither.
    const expiresAt = new Date(Date.now() + 60_000);
    await database.prisma.twitchLinkState.create({ data: { stateHash: 's1', guildId: '100000', expiresAt } });
    await database.prisma.twitchLinkState.create({ data: { stateHash: 's2', personTwitchUserId: '900001', expiresAt } });
    await expect(database.prisma.twitchLinkState.create({ data: { stateHash: 's3', expiresAt } })).rejects.toThrow();
    await expect(database.prisma.twitchLinkState.create({ data: { stateHash: 's4', guildId: '100000', personTwitchUserId: '900001', expiresAt } })).rejects.toThrow();
  });

  it('refuses to start when an applied migration was edited', async () => {
    const database = await open();
    const copy = await mkdtemp(path.join(tmpdir(), 'kinoyu-migrations-'));
    defer(() => rm(copy, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, copy, { recursive: true });
    await migrateOnce(database, copy);
    const [first] = await readMigrations(copy);
    await writeFile(path.join(copy, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
    await expect(migrateOnce(database, copy)).rejects.toThrow(/edited after it was applied/);
  });
}

describeWith({ postgres: true }, 'concurrent start-up on PostgreSQL', ({ postgresUrl }) => {
  it('lets instances that start together take turns (advisory lock): each migration runs once', async () => {
    const scratch = await createScratchDatabase(postgresUrl);
    defer(() => scratch.drop());
    const databases = await Promise.all([1, 2, 3].map(() => openDatabase({ database: { url: scratch.url, dataDir: '' } })));
    for (const database of databases) defer(() => database.close());
    const applied = await Promise.all(databases.map((database) => migrateOnce(database)));
    expect(applied.flat().sort()).toEqual((await readMigrations()).map((migration) => migration.name));
  });
});
