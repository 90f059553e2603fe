import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Db } from '../db/database';

/*
 * The entrants of committed rounds, stored compactly: one row per distinct entrant list,
 * content-addressed by its entrantsHash (rounds of a raffle whose chat did not change share it),
 * gzip of the canonical JSON [[userId, login, displayName, tickets], ...]. Compression runs on
 * libuv's thread pool (async zlib) before the commit statement that stores it.
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
   * The compressed list to store with the commit that names it (the round runner's commit
   * statement inserts it, ON CONFLICT DO NOTHING), or null when this process stored or found
   * that hash recently: then nothing is compressed. Compression runs on libuv's thread pool.
   */
  async toStore(entrants: readonly StoredEntrant[], entrantsHash: string): Promise<Buffer | null> {
    const seenAt = this.known.get(entrantsHash);
    if (seenAt !== undefined && Date.now() - seenAt < this.rememberMs) return null;
    return encodeEntrants(entrants);
  }

  /** The list under `entrantsHash` is in the database now (a commit naming it was written). */
  stored(entrantsHash: string): void {
    this.known.delete(entrantsHash);
    this.known.set(entrantsHash, Date.now());
    if (this.known.size > this.remember) this.known.delete(this.known.keys().next().value!);
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
