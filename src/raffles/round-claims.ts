import type { Db } from '../db/database';

export interface ClaimedRaffle {
  id: string;
  /** The lease token of this claim: RoundRunner.runClaimed commits only while it holds the lease. */
  token: string;
  /** When the round was due (next_round_at at the claim). */
  dueAt: Date;
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
 * Claims up to `limit` due raffles in ONE statement: free (or expired) leases on running raffles
 * whose round is due, oldest first; rows another instance is claiming right now are skipped rather
 * than waited for. Each raffle gets its own token (instance id / random uuid), as RoundRunner.claim
 * does. The same statement says when the next raffle is due, so a sweep costs one round trip. The
 * database clock decides what is due and when leases expire.
 */
export async function claimDueRaffles(
  db: Db,
  options: { instanceId: string; leaseSeconds: number; limit: number },
): Promise<Claims> {
  const rows = await db.$queryRaw<{ id: string | null; token: string | null; due_at: Date | null; ms: number | null }[]>`
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
      RETURNING r.id, r.lease_owner AS token, due.next_round_at AS due_at),
    upcoming AS (
      SELECT (EXTRACT(EPOCH FROM min(GREATEST(next_round_at, COALESCE(lease_until, next_round_at))) - clock_timestamp()) * 1000)::double precision AS ms
        FROM raffles
       WHERE status = 'RUNNING' AND id NOT IN (SELECT id FROM due))
    SELECT claimed.id, claimed.token, claimed.due_at, upcoming.ms FROM upcoming LEFT JOIN claimed ON true`;
  return {
    claimed: rows.filter((row) => row.id !== null).map((row) => ({ id: row.id!, token: row.token!, dueAt: row.due_at! })),
    msUntilNextDue: rows[0]?.ms ?? null,
  };
}
