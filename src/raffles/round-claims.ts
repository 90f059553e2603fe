import type { Db } from '../db/database';

export interface ClaimedRaffle {
  id: string;
  /** The lease token of this claim: RoundRunner.runClaimed commits only while it holds the lease. */
  token: string;
  /** When the round was due (next_round_at at the claim). */
  dueAt: Date;
  /** When it was claimed (database clock). */
  claimedAt: Date;
}

export interface Claims {
  claimed: ClaimedRaffle[];
  /**
   * Milliseconds (database clock) until the earliest running raffle not claimed here can be
   * claimed: its next round, or the end of the lease someone holds on it; null when none runs.
   * Rows another instance was claiming at that moment count as due (≤ 0).
   */
  msUntilNextDue: number | null;
}

/**
 * How many of the earliest running raffles the "next due" part reads (index order by next_round_at).
 * Only raffles leased right now (rounds in flight on every instance) can sit before the answer, so
 * this bounds the read instead of scanning every running raffle on every sweep; were more leased
 * than this, the answer is the last one read, which is never later than the true one (a sweep
 * too early finds nothing and looks again).
 */
const NEXT_DUE_HEAD = 256;

/**
 * Claims up to `limit` due raffles in ONE statement: free (or expired) leases on running raffles
 * whose round is due, oldest first; rows another instance is claiming right now are skipped rather
 * than waited for. Each raffle gets its own token (instance id / random uuid), as RoundRunner.claim
 * does. The same statement says when the next raffle is due, so a sweep costs one round trip. The
 * database clock decides what is due and when leases expire. Both parts walk the
 * (status, next_round_at) index from the oldest due time.
 */
export async function claimDueRaffles(
  db: Db,
  options: { instanceId: string; leaseSeconds: number; limit: number },
): Promise<Claims> {
  const rows = await db.$queryRaw<{ id: string | null; token: string | null; due_at: Date | null; claimed_at: Date | null; ms: number | null }[]>`
    WITH due AS (
      SELECT id, next_round_at FROM raffles
       WHERE status = 'RUNNING'
         AND next_round_at <= now()
         AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_round_at
       LIMIT ${Math.max(0, options.limit)}
       FOR UPDATE SKIP LOCKED),
    claimed AS (
      UPDATE raffles r
         SET lease_owner = ${options.instanceId} || '/' || gen_random_uuid()::text,
             lease_until = now() + make_interval(secs => ${options.leaseSeconds}::double precision)
        FROM due
       WHERE r.id = due.id
      RETURNING r.id, r.lease_owner AS token, due.next_round_at AS due_at, clock_timestamp() AS claimed_at),
    head AS (
      SELECT next_round_at, GREATEST(next_round_at, COALESCE(lease_until, next_round_at)) AS free_at FROM raffles
       WHERE status = 'RUNNING' AND id NOT IN (SELECT id FROM due)
       ORDER BY next_round_at
       LIMIT ${NEXT_DUE_HEAD}),
    upcoming AS (
      SELECT (EXTRACT(EPOCH FROM LEAST(min(free_at), CASE WHEN count(*) = ${NEXT_DUE_HEAD} THEN max(next_round_at) END) - clock_timestamp()) * 1000)::double precision AS ms
        FROM head)
    SELECT claimed.id, claimed.token, claimed.due_at, claimed.claimed_at, upcoming.ms FROM upcoming LEFT JOIN claimed ON true`;
  return {
    claimed: rows
      .filter((row) => row.id !== null)
      .map((row) => ({ id: row.id!, token: row.token!, dueAt: row.due_at!, claimedAt: row.claimed_at! })),
    msUntilNextDue: rows[0]?.ms ?? null,
  };
}
