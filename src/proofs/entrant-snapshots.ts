import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Db } from '../db/database';

/*
 * The entrants of committed rounds, stored compactly: one row per distinct entrant list,
 * content-addressed by its entrantsHash (rounds of a raffle whose chat did not change share it),
 * gzip of the canonical JSON [[userId, login, displayName, tickets], ...]. Compression runs on
 * libuv's thread pool (async zlib) and before the round's transaction, never inside it.
 */

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface StoredEntrant {
  userId: string;
  login: string;
  displayName: string;
  tickets: number;
}

type Row = [userId: string, login: string, displayName: string, tickets: number];

export async function encodeEntrants(entrants: readonly StoredEntrant[]): Promise<Buffer> {
  const rows: Row[] = entrants.map((entrant) => [entrant.userId, entrant.login, entrant.displayName, entrant.tickets]);
  return gzipAsync(Buffer.from(JSON.stringify(rows), 'utf8'), { level: 6 });
}

export async function decodeEntrants(data: Uint8Array): Promise<StoredEntrant[]> {
  const json = (await gunzipAsync(data)).toString('utf8');
  const rows = JSON.parse(json) as Row[];
  return rows.map(([userId, login, displayName, tickets]) => ({ userId, login, displayName, tickets }));
}

export class EntrantSnapshots {
  /**
   * Hashes this process stored or found in the last few minutes: the next round with the same
   * list asks nothing. (Retention only removes snapshots no commit of the last days refers to.)
   */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly remember = 256,
    private readonly rememberMs = 600_000,
  ) {}

  /**
   * Stores the list under its hash unless a row with that hash exists already (then nothing is
   * compressed). Runs outside any transaction; an unused row is removed by retention.
   */
  async store(entrantsHash: string, entrants: readonly StoredEntrant[]): Promise<'stored' | 'existing'> {
    const seenAt = this.known.get(entrantsHash);
    if (seenAt !== undefined && Date.now() - seenAt < this.rememberMs) return 'existing';
    const existing = await this.db.$queryRaw<{ one: number }[]>`
      SELECT 1 AS one FROM entrant_snapshots WHERE entrants_hash = ${entrantsHash}`;
    if (existing.length === 0) {
      const data = await encodeEntrants(entrants);
      await this.db.$executeRaw`
        INSERT INTO entrant_snapshots (entrants_hash, entrant_count, data)
        VALUES (${entrantsHash}, ${entrants.length}, ${data})
        ON CONFLICT (entrants_hash) DO NOTHING`;
    }
    this.known.delete(entrantsHash);
    this.known.set(entrantsHash, Date.now());
    if (this.known.size > this.remember) this.known.delete(this.known.keys().next().value!);
    return existing.length === 0 ? 'stored' : 'existing';
  }


  /** The list stored under the hash, or null when it was pruned (or never stored). */
  async load(entrantsHash: string): Promise<StoredEntrant[] | null> {
    const row = await this.db.entrantSnapshot.findUnique({ where: { entrantsHash }, select: { data: true } });
    return row ? decodeEntrants(row.data) : null;
  }

  /** Stored bytes of one snapshot (for the bench and the README's figures). */
  async storedBytes(entrantsHash: string): Promise<number | null> {
    const rows = await this.db.$queryRaw<{ n: number }[]>`
      SELECT octet_length(data)::int AS n FROM entrant_snapshots WHERE entrants_hash = ${entrantsHash}`;
    return rows[0]?.n ?? null;
  }
}
