/**
 * Database invariants that no sequence of requests may break, as SQL over the app's database.
 * `query` runs one constant statement (no user text) and returns its rows.
 */
export type RunSql = (sql: string) => Promise<Array<Record<string, unknown>>>;

const CHECKS: Array<{ name: string; sql: string }> = [
  {
    name: 'items keep 0 <= remaining <= stock, stock >= 1, weight > 0',
    sql: `SELECT id, stock, remaining, weight FROM items WHERE NOT (remaining >= 0 AND remaining <= stock AND stock >= 1 AND weight > 0)`,
  },
  {
    name: 'each item lost exactly one stock unit per WINNER round',
    sql: `SELECT i.id, i.stock - i.remaining AS taken, count(r.id)::int AS wins
          FROM items i LEFT JOIN rounds r ON r.item_id = i.id AND r.outcome = 'WINNER'
          GROUP BY i.id HAVING i.stock - i.remaining <> count(r.id)`,
  },
  {
    name: 'round numbers of a raffle are 1..n, gapless and unique',
    sql: `SELECT raffle_id, count(*)::int AS rounds, count(DISTINCT number)::int AS numbers, min(number) AS first, max(number) AS last
          FROM rounds GROUP BY raffle_id
          HAVING count(*) <> count(DISTINCT number) OR min(number) <> 1 OR max(number) <> count(*)`,
  },
  {
    name: 'a raffle counts its rounds',
    sql: `SELECT f.id, f.round_count, count(r.id)::int AS rounds FROM raffles f LEFT JOIN rounds r ON r.raffle_id = f.id
          GROUP BY f.id HAVING f.round_count <> count(r.id)`,
  },
  {
    name: 'at most one RUNNING raffle per streamer',
    sql: `SELECT streamer_id, count(*)::int AS running FROM raffles WHERE status = 'RUNNING' GROUP BY streamer_id HAVING count(*) > 1`,
  },
  {
    name: 'WINNER rounds have an item and a winner',
    sql: `SELECT id FROM rounds WHERE outcome = 'WINNER' AND (item_id IS NULL OR winner_user_id IS NULL)`,
  },
];

/** Every broken invariant with the offending rows (at most 5 each); empty when all hold. */
export async function brokenInvariants(query: RunSql): Promise<string[]> {
  const broken: string[] = [];
  for (const check of CHECKS) {
    const rows = await query(check.sql);
    if (rows.length > 0) broken.push(`${check.name}: ${JSON.stringify(rows.slice(0, 5), (_key, value) => (typeof value === 'bigint' ? String(value) : value))}`);
  }
  return broken;
}
