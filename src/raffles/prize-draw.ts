import type { Prisma } from '../generated/prisma/client';

export interface DrawnPrize {
  itemId: string;
  itemWeight: number;
  totalWeight: number;
}

type SqlClient = Pick<Prisma.TransactionClient, '$queryRaw'>;

/**
 * The weighted prize draw: PostgreSQL's `make_raffle` (cumulative sum over the items with copies
 * left, in bytewise id order) on the derivation's integer target `t` in [0, total weight)
 * (FAIRNESS.md "Prize"). Null when nothing is left.
 */
export async function drawPrize(sql: SqlClient, streamerId: string, target: number | bigint): Promise<DrawnPrize | null> {
  const rows = await sql.$queryRaw<{ item_id: string; item_weight: number; total_weight: bigint | number }[]>`
    SELECT item_id, item_weight, total_weight FROM make_raffle(${streamerId}, ${BigInt(target)}::bigint)`;
  const row = rows[0];
  return row ? { itemId: row.item_id, itemWeight: row.item_weight, totalWeight: Number(row.total_weight) } : null;
}
