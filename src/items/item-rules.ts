import type { FieldProblem } from '../errors/domain-errors';

export const ITEM_NAME_MAX = 100;
export const ITEM_WEIGHT_MAX = 1_000_000;
export const ITEM_STOCK_MAX = 100_000;

export interface ItemFields {
  name: string;
  weight: number;
  stock: number;
}

/** Problems with one item's fields; `path` prefixes each problem's path. Names come back trimmed. */
export function itemProblems(fields: Partial<ItemFields>, path: string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (fields.name !== undefined) {
    const name = fields.name.trim();
    if (name.length === 0) problems.push({ path: [...path, 'name'], message: 'name must not be empty' });
    else if (name.length > ITEM_NAME_MAX)
      problems.push({ path: [...path, 'name'], message: `name must be at most ${ITEM_NAME_MAX} characters` });
    else if (/[\p{Cc}]/u.test(name))
      problems.push({ path: [...path, 'name'], message: 'name must not contain control characters' });
  }
  if (fields.weight !== undefined && !isWholeInRange(fields.weight, 1, ITEM_WEIGHT_MAX)) {
    problems.push({ path: [...path, 'weight'], message: `weight must be a whole number from 1 to ${ITEM_WEIGHT_MAX}` });
  }
  if (fields.stock !== undefined && !isWholeInRange(fields.stock, 1, ITEM_STOCK_MAX)) {
    problems.push({ path: [...path, 'stock'], message: `stock must be a whole number from 1 to ${ITEM_STOCK_MAX}` });
  }
  return problems;
}

function isWholeInRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
