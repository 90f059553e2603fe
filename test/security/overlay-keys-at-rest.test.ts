/**
 * Overlay keys at rest: sealed (AES-GCM bound to the row) and found by a keyed hash; plaintext
 * keys of older databases converted once at startup; rotation of TOKEN_ENCRYPTION_KEY keeps
 * every overlay URL working; a sealed key moved to another row is refused.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { keyIdOfKey } from '../../src/crypto/token-cipher';
import { embeddedDataDir } from '../support/embedded-database';
import { createStreamer } from '../support/factories';
import { execute, request } from '../support/graphql';
import { createScratchDatabase, realPostgresUrl } from '../support/services';
import { startTestApp, TEST_ENCRYPTION_KEY, type TestApp, type TestAppOptions } from '../support/test-app';

const SEALED_MIGRATION = '20261201140000_overlay_keys_sealed';
const postgresUrl = await realPostgresUrl();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One database that outlives app instances: a scratch PostgreSQL database, else a PGlite DATA_DIR. */
async function persistentDatabase(): Promise<{ url: string | undefined; dataDir: string; appOptions(env?: Record<string, string>): TestAppOptions }> {
  if (postgresUrl) {
    const scratch = await createScratchDatabase(postgresUrl);
    cleanups.push(() => scratch.drop());
    return { url: scratch.url, dataDir: '', appOptions: (env = {}) => ({ databaseUrl: scratch.url, env }) };
  }
  const { dataDir, remove } = await embeddedDataDir();
  cleanups.push(remove);
  return { url: undefined, dataDir, appOptions: (env = {}) => ({ embedded: true, env: { DATA_DIR: dataDir, ...env } }) };
}

async function start(options: TestAppOptions): Promise<TestApp> {
  const api = await startTestApp(options);
  cleanups.push(() => api.stop());
  return api;
}

const keyOf = (overlayUrl: string) => new URL(overlayUrl).searchParams.get('key')!;
const OVERLAY_URL = `query($id: ID!) { streamer(id: $id) { id overlayUrl } }`;

async function rowText(api: TestApp, id: string): Promise<string> {
  const [row] = await api.services.db.$queryRaw<{ text: string }[]>`SELECT row_to_json(s)::text AS text FROM streamers s WHERE id = ${id}`;
  return row!.text;
}

/** Which streamer the overlay key opens (a read of its own streamer as the overlay principal), or null. */
async function streamerOpenedBy(api: TestApp, streamerId: string, overlayKey: string): Promise<string | null> {
  const response = await request(api.url, `query($id: ID!) { streamer(id: $id) { id } }`, { id: streamerId }, { token: null, overlayKey });
  return response.data?.streamer?.id ?? null;
}

describe('overlay keys at rest', () => {
  it('stores no key text: the row holds a sealed value and a keyed hash, and the overlay URL works', async () => {
    const api = await start({});
    const streamer = await createStreamer(api.url);
    const key = keyOf(streamer.overlayUrl);
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const text = await rowText(api, streamer.id);
    expect(text).not.toContain(key);
    const row = await api.services.db.streamer.findUniqueOrThrow({ where: { id: streamer.id } });
    expect(row.legacyOverlayKey).toBeNull();
    expect(row.overlayKeyEnc).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(row.overlayKeyHash).toMatch(new RegExp(`^${keyIdOfKey(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'))}\\.[A-Za-z0-9_-]{43}$`));
    expect(await streamerOpenedBy(api, streamer.id, key)).toBe(streamer.id);
    expect(await streamerOpenedBy(api, streamer.id, `${key}x`)).toBeNull();
    // The URL reads the same every time (decrypted, not re-issued).
    expect((await execute(api.url, OVERLAY_URL, { id: streamer.id })).streamer.overlayUrl).toBe(streamer.overlayUrl);
  });

  it('converts the plaintext keys of an older database once at startup, keeping every overlay URL', async () => {
    const database = await persistentDatabase();
    // The database as the previous release left it: every migration before the sealed columns.
    const older = await mkdtemp(path.join(tmpdir(), 'kinoyu-migrations-'));
    cleanups.push(() => rm(older, { recursive: true, force: true }));
    for (const name of await readdir(MIGRATIONS_DIR)) {
      if (name < SEALED_MIGRATION || !/^\d/.test(name)) await cp(path.join(MIGRATIONS_DIR, name), path.join(older, name), { recursive: true });
    }
    const legacy = [
      { id: randomUUID(), guildId: '900000000000000001', key: randomBytes(24).toString('base64url') },
      { id: randomUUID(), guildId: '900000000000000002', key: randomBytes(24).toString('base64url') },
    ];
    const before = await openDatabase({ database: { url: database.url, dataDir: database.dataDir } });
    const runner = await before.openSqlRunner();
    try {
      await migrate(runner, pino({ level: 'silent' }), older);
      for (const row of legacy) {
        await runner.query('INSERT INTO streamers (id, guild_id, overlay_key, updated_at) VALUES ($1, $2, $3, now())', [row.id, row.guildId, row.key]);
      }
    } finally {
      await runner.close();
      await before.close();
    }

    const api = await start(database.appOptions());
    for (const row of legacy) {
      const text = await rowText(api, row.id);
      expect(text).not.toContain(row.key);
      expect(JSON.parse(text)).toMatchObject({ overlay_key: null, overlay_key_enc: expect.stringMatching(/^v2\./) });
      // The same URL as before the upgrade.
      const { streamer } = await execute(api.url, OVERLAY_URL, { id: row.id });
      expect(keyOf(streamer.overlayUrl)).toBe(row.key);
      expect(await streamerOpenedBy(api, row.id, row.key)).toBe(row.id);
    }
    const [left] = await api.services.db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM streamers WHERE overlay_key IS NOT NULL`;
    expect(Number(left!.count)).toBe(0);

    // Once: a restart finds nothing to convert and leaves the sealed values as they are.
    const sealed = await api.services.db.streamer.findMany({ select: { id: true, overlayKeyEnc: true, overlayKeyHash: true }, orderBy: { id: 'asc' } });
    expect(await api.services.streamers.sealOverlayKeys()).toEqual({ converted: 0, resealed: 0, unreadable: 0 });
    await api.stop();
    const again = await start(database.appOptions());
    expect(await again.services.db.streamer.findMany({ select: { id: true, overlayKeyEnc: true, overlayKeyHash: true }, orderBy: { id: 'asc' } })).toEqual(sealed);
  });

  it('keeps overlay URLs working across a key rotation and re-seals them with the new key at startup', async () => {
    const database = await persistentDatabase();
    const first = await start(database.appOptions());
    const streamer = await createStreamer(first.url);
    const key = keyOf(streamer.overlayUrl);
    await first.stop();

    const newKey = randomBytes(32);
    const rotated = await start(database.appOptions({ TOKEN_ENCRYPTION_KEY: `${newKey.toString('base64')},${TEST_ENCRYPTION_KEY}` }));
    const row = await rotated.services.db.streamer.findUniqueOrThrow({ where: { id: streamer.id } });
    expect(row.overlayKeyHash?.startsWith(`${keyIdOfKey(newKey)}.`)).toBe(true);
    expect(row.overlayKeyEnc?.startsWith(`v2.${keyIdOfKey(newKey)}.`)).toBe(true);
    expect(await streamerOpenedBy(rotated, streamer.id, key)).toBe(streamer.id);
    await rotated.stop();

    // The old key can go once an instance has started with the new list.
    const onlyNew = await start(database.appOptions({ TOKEN_ENCRYPTION_KEY: newKey.toString('base64') }));
    expect(await streamerOpenedBy(onlyNew, streamer.id, key)).toBe(streamer.id);
    expect(keyOf((await execute(onlyNew.url, OVERLAY_URL, { id: streamer.id })).streamer.overlayUrl)).toBe(key);
  });

  it('refuses a sealed key copied into another streamer\'s row instead of showing it', async () => {
    const api = await start({});
    const mine = await createStreamer(api.url);
    const other = await createStreamer(api.url);
    const otherKey = keyOf(other.overlayUrl);
    await api.services.db.$executeRaw`
      UPDATE streamers SET overlay_key_enc = (SELECT overlay_key_enc FROM streamers WHERE id = ${other.id}) WHERE id = ${mine.id}`;

    const response = await request(api.url, OVERLAY_URL, { id: mine.id });
    expect(response.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(response)).not.toContain(otherKey);
    // The other streamer's key still opens only the other streamer.
    expect(await streamerOpenedBy(api, mine.id, otherKey)).toBeNull();
    expect(await streamerOpenedBy(api, other.id, otherKey)).toBe(other.id);

    // Rotating mends it.
    const { rotateOverlayKey } = await execute(api.url, `mutation($id: ID!) { rotateOverlayKey(streamerId: $id) { ... on Streamer { overlayUrl } } }`, { id: mine.id });
    expect(await streamerOpenedBy(api, mine.id, keyOf(rotateOverlayKey.overlayUrl))).toBe(mine.id);
  });
});
