import type { FieldComplexityValue } from '@pothos/plugin-complexity';

/**
 * How many elements a list field may return, and what that costs. The complexity plugin multiplies
 * a field's sub-selection by its `multiplier`, so nested lists multiply in the estimate (see
 * limits.ts for the per-principal budgets).
 */

/** Connections (`first`/`last`): the page size when none is asked for, and the largest page. */
export const PAGE_SIZE = { default: 20, max: 100 } as const;

/** Unpaged lists with a `first` argument (e.g. Raffle.winners): its default and its maximum. */
export const UNPAGED_LIST_MAX = 100;

/** What an unpaged list without a size argument is costed at (e.g. Streamer.items). */
export const DECLARED_LIST_SIZE = 100;

/** `first` clamped to 0..max (absent: max). */
export function listSize(first: number | null | undefined, max = UNPAGED_LIST_MAX): number {
  return Math.min(Math.max(first ?? max, 0), max);
}

/** The page a connection returns for its arguments (the same rule as the Prisma plugin's). */
export function pageSize(args: { first?: number | null; last?: number | null }): number {
  return Math.min(Math.max(args.first ?? args.last ?? PAGE_SIZE.default, 0), PAGE_SIZE.max);
}

/** Cost of a connection field: its edges' selection times the page size. */
export function connectionCost(args: { first?: number | null; last?: number | null }): FieldComplexityValue {
  return { field: 1, multiplier: pageSize(args) };
}

/** Cost of an unpaged list with an optional `first` (default and maximum `max`). */
export function firstArgCost(max = UNPAGED_LIST_MAX): (args: { first?: number | null }) => FieldComplexityValue {
  return (args) => ({ field: 1, multiplier: listSize(args.first, max) });
}
