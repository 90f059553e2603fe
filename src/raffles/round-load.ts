import { Prisma, type Raffle, type RoundCommit, type Streamer } from '../generated/prisma/client';
import type { Db } from '../db/database';
import { commitRowFromRow, raffleFromRow, streamerFromRow, type JsonRow } from './round-rows';

/**
 * Everything a round reads from the database before it commits, in ONE statement: the raffle with
 * its streamer, the commit of its next number an earlier attempt left (if any), and, for a new
 * commit, the items with copies left and the raffle's earlier winners (the exclusions).
 */
export interface RoundStart {
  raffle: Raffle & { streamer: Streamer };
  heldCommit: RoundCommit | null;
  /** Items with copies left (null when a held commit has its own). */
  items: { id: string; weight: number }[] | null;
  /** Winners of earlier rounds, to leave out; null when the raffle allows repeat winners or a commit is held. */
  earlierWinners: string[] | null;
}

interface StartJson {
  raffle: JsonRow;
  streamer: JsonRow;
  held_commit: JsonRow | null;
  items: [string, number][] | null;
  earlier_winners: string[] | null;
}

/**
 * The SELECT list over `f` (the raffle row, claimed or read): one JSON text, parsed here. Prisma
 * converts raw results value by value (jsonb objects, a text[] of every earlier winner); one
 * string costs it next to nothing.
 */
const START_COLUMNS = Prisma.sql`
  json_build_object(
    'raffle', to_jsonb(f),
    'streamer', to_jsonb(s),
    'held_commit', to_jsonb(c),
    'items', CASE WHEN c.raffle_id IS NULL THEN (
      SELECT COALESCE(json_agg(json_build_array(i.id, i.weight)), '[]'::json)
        FROM items i
       WHERE i.streamer_id = f.streamer_id AND i.removed_at IS NULL AND i.remaining > 0
    ) END,
    'earlier_winners', CASE WHEN c.raffle_id IS NULL AND NOT f.allow_repeat_winners THEN ARRAY(
      SELECT r.winner_user_id FROM rounds r
       WHERE r.raffle_id = f.id AND r.outcome = 'WINNER' AND r.winner_user_id IS NOT NULL
    ) END
  )::text AS start`;

/** Reads the start of a round of a raffle claimed already; null when the raffle does not exist. */
export async function loadRoundStart(db: Db, raffleId: string): Promise<RoundStart | null> {
  const rows = await db.$queryRaw<{ start: string }[]>`
    SELECT ${START_COLUMNS}
      FROM raffles f
      JOIN streamers s ON s.id = f.streamer_id
      LEFT JOIN round_commits c ON c.raffle_id = f.id AND c.number = f.round_count + 1
     WHERE f.id = ${raffleId}`;
  return rows[0] ? startFromRow(rows[0]) : null;
}

/**
 * Claims the raffle under `token` (a lease of `leaseSeconds` on the database clock) when it is
 * RUNNING, its lease is free or expired and, unless forced, its round is due; and reads the
 * round's start in the same statement. Null when not claimed.
 */
export async function claimRoundStart(
  db: Db,
  raffleId: string,
  claim: { token: string; leaseSeconds: number; force: boolean },
): Promise<RoundStart | null> {
  const rows = await db.$queryRaw<{ start: string }[]>`
    WITH f AS (
      UPDATE raffles
         SET lease_owner = ${claim.token},
             lease_until = now() + make_interval(secs => ${claim.leaseSeconds}::double precision)
       WHERE id = ${raffleId}
         AND status = 'RUNNING'
         AND (${claim.force}::boolean OR next_round_at <= now())
         AND (lease_until IS NULL OR lease_until < now())
      RETURNING *
    )
    SELECT ${START_COLUMNS}
      FROM f
      JOIN streamers s ON s.id = f.streamer_id
      LEFT JOIN round_commits c ON c.raffle_id = f.id AND c.number = f.round_count + 1`;
  return rows[0] ? startFromRow(rows[0]) : null;
}

function startFromRow({ start }: { start: string }): RoundStart {
  const row = JSON.parse(start) as StartJson;
  return {
    raffle: { ...raffleFromRow(row.raffle), streamer: streamerFromRow(row.streamer) },
    heldCommit: row.held_commit ? commitRowFromRow(row.held_commit) : null,
    items: row.items ? row.items.map(([id, weight]) => ({ id, weight })) : null,
    earlierWinners: row.earlier_winners,
  };
}
