import { Prisma, type Item, type Raffle, type Round } from '../generated/prisma/client';
import type { Db } from '../db/database';
import { itemFromRow, raffleFromRow, roundFromRow, type JsonRow } from './round-rows';

/*
 * The round runner's two writes, one statement each and no interactive transaction: the commit
 * (with the entrant snapshot it names) and the round (complete_round, see its migration).
 */

export interface CommitRow {
  raffleId: string;
  number: number;
  forced: boolean;
  chancePpm: number;
  itemsHash: string;
  itemsList: string;
  entrantsHash: string;
  entrantCount: number;
  source: string;
  beaconRound: number | null;
  commitHash: string;
  committedAt: Date;
}

/**
 * Writes the commit if `token` still holds the raffle's lease for round `number` (the raffle row
 * locked meanwhile), with the compressed entrant list when given (kept if that hash is stored
 * already). `extendLeaseSeconds` (drand: the wait for the beacon) pushes the lease out in the
 * same statement. False when the claim was lost: nothing is written then.
 */
export async function writeCommit(
  db: Db,
  token: string,
  commit: CommitRow,
  snapshot: Buffer | null,
  extendLeaseSeconds: number | null,
): Promise<boolean> {
  const held = Prisma.sql`id = ${commit.raffleId} AND status = 'RUNNING' AND lease_owner = ${token} AND round_count + 1 = ${commit.number}`;
  const claim =
    extendLeaseSeconds === null
      ? Prisma.sql`SELECT id FROM raffles WHERE ${held} FOR UPDATE`
      : Prisma.sql`UPDATE raffles
           SET lease_until = GREATEST(lease_until, now() + make_interval(secs => ${extendLeaseSeconds}::double precision))
         WHERE ${held} RETURNING id`;
  const storeSnapshot = snapshot
    ? Prisma.sql`, snapshot AS (
        INSERT INTO entrant_snapshots (entrants_hash, entrant_count, data)
        SELECT ${commit.entrantsHash}, ${commit.entrantCount}::int, ${snapshot} FROM claim
        ON CONFLICT (entrants_hash) DO NOTHING
      )`
    : Prisma.empty;
  const written = await db.$queryRaw<{ one: number }[]>`
    WITH claim AS (${claim})${storeSnapshot}
    INSERT INTO round_commits (raffle_id, number, forced, chance_ppm, items_hash, items_list, entrants_hash,
                               entrant_count, source, beacon_round, commit_hash, committed_at)
    SELECT claim.id, ${commit.number}::int, ${commit.forced}::boolean, ${commit.chancePpm}::int, ${commit.itemsHash},
           ${commit.itemsList}, ${commit.entrantsHash}, ${commit.entrantCount}::int, ${commit.source},
           ${commit.beaconRound}::int, ${commit.commitHash}, ${commit.committedAt}::timestamptz
      FROM claim
    RETURNING 1 AS one`;
  return written.length === 1;
}

/** What complete_round takes: the derivation's result (winner fields only for a WINNER). */
export interface RoundWrite {
  raffleId: string;
  token: string;
  number: number;
  forced: boolean;
  outcome: Round['outcome'];
  commitHash: string;
  chanceValue: number | null;
  eligibleCount: number;
  beaconRandomness: string | null;
  beaconSignature: string | null;
  winner: {
    itemId: string;
    itemWeight: number;
    totalWeight: number;
    prizeTarget: number;
    drawValue: number;
    winnerTarget: number;
    winnerIndex: number;
    userId: string;
    login: string;
    displayName: string;
    tickets: number;
  } | null;
  /** Outbox channels of a WINNER round. */
  channels: string[];
}

export interface CompletedRound {
  round: Round;
  raffle: Raffle;
  /** The won item as written (its copy taken); null unless the round is a WINNER. */
  item: Item | null;
  /** make_raffle's answer over today's items (WINNER only; null when it found nothing). */
  made: { itemId: string; totalWeight: number } | null;
}

/** Writes the round, its stock, outbox rows and the raffle's progress; null when the claim was lost. */
export async function completeRound(db: Db, write: RoundWrite): Promise<CompletedRound | null> {
  const w = write.winner;
  // The rows as JSON text, parsed here: Prisma's value-by-value conversion of jsonb costs more.
  const rows = await db.$queryRaw<
    { round_row: string; raffle_row: string; item_row: string | null; made_item_id: string | null; made_total_weight: bigint | number | null }[]
  >`
    SELECT round_row::text, raffle_row::text, item_row::text, made_item_id, made_total_weight FROM complete_round(
      ${write.raffleId}::text, ${write.token}::text, ${write.number}::int, ${write.forced}::boolean, ${write.outcome}::text,
      ${write.commitHash}::text, ${write.chanceValue}::double precision, ${write.eligibleCount}::int,
      ${write.beaconRandomness}::text, ${write.beaconSignature}::text,
      ${w?.itemId ?? null}::text, ${w?.itemWeight ?? null}::int, ${w?.totalWeight ?? null}::bigint, ${w?.prizeTarget ?? null}::bigint,
      ${w?.drawValue ?? null}::double precision, ${w?.winnerTarget ?? null}::double precision, ${w?.winnerIndex ?? null}::int,
      ${w?.userId ?? null}::text, ${w?.login ?? null}::text, ${w?.displayName ?? null}::text, ${w?.tickets ?? null}::int,
      ${write.channels}::text[])`;
  const row = rows[0];
  if (!row) return null;
  return {
    round: roundFromRow(JSON.parse(row.round_row) as JsonRow),
    raffle: raffleFromRow(JSON.parse(row.raffle_row) as JsonRow),
    item: row.item_row === null ? null : itemFromRow(JSON.parse(row.item_row) as JsonRow),
    made: row.made_item_id === null ? null : { itemId: row.made_item_id, totalWeight: Number(row.made_total_weight) },
  };
}
