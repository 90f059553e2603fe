import type { Db } from '../db/database';

export interface ClaimedRaffle {
  id: string;
  /** The lease token of this claim: RoundRunner.runClaimed commits only while it holds the lease. */
  token: string;
  /** When the round was due (next_round_at at the claim). */
  dueAt: Date;
}

/**
 * Claims up to `limit` due raffles in ONE statement: free (or expired) leases on running raffles
 * whose round is due, oldest first; rows another instance is claiming right now are skipped rather
 * than waited for. Each raffle gets its own token (instance id / random uuid), as RoundRunner.claim
 * does. The database clock decides what is due and when leases expire.
 */
export async function claimDueRaffles(
  db: Db,
  options: { instanceId: string; leaseSeconds: number; limit: number },
): Promise<ClaimedRaffle[]> {
  if (options.limit <= 0) return [];
  const rows = await db.$queryRaw<{ id: string; token: string; due_at: Date }[]>`
    WITH due AS (
      SELECT id, next_round_at FROM raffles
       WHERE status = 'RUNNING'
         AND next_round_at <= now()
         AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_round_at
       LIMIT ${options.limit}
       FOR UPDATE SKIP LOCKED)
    UPDATE raffles r
       SET lease_owner = ${options.instanceId} || '/' || gen_random_uuid()::text,
           lease_until = now() + make_interval(secs => ${options.leaseSeconds}::double precision)
      FROM due
     WHERE r.id = due.id
    RETURNING r.id, r.lease_owner AS token, due.next_round_at AS due_at`;
  return rows.map((row) => ({ id: row.id, token: row.token, dueAt: row.due_at }));
}

/**
 * Milliseconds (database clock) until the earliest running raffle can be claimed: its next round,
 * or the end of the lease someone holds on it. Null when nothing is running.
 */
export async function msUntilNextDue(db: Db): Promise<number | null> {
  const [row] = await db.$queryRaw<{ ms: number | null }[]>`
    SELECT (EXTRACT(EPOCH FROM min(GREATEST(next_round_at, COALESCE(lease_until, next_round_at))) - clock_timestamp()) * 1000)::double precision AS ms
      FROM raffles
     WHERE status = 'RUNNING'`;
  return row?.ms ?? null;
}
