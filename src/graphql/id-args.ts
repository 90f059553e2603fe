import { parsePrismaCursor } from '@pothos/plugin-prisma';
import { GraphQLError } from 'graphql';

/**
 * ID and cursor arguments checked before they reach the database. A value that cannot name a row
 * (a round id beyond PostgreSQL `integer`, a cursor of the wrong type) would otherwise make Prisma
 * throw, which the client sees as a masked INTERNAL_SERVER_ERROR; here it gets a clean
 * BAD_USER_INPUT error instead (or, where ids are a filter, the id is simply not found).
 */

/** Round ids are PostgreSQL `integer` serials. */
export const ROUND_ID_MAX = 2_147_483_647;

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A round id as the database holds it, or null when the value cannot be one. */
export function roundIdOrNull(value: string | number): number | null {
  const text = String(value);
  if (!/^\d{1,10}$/.test(text)) return null;
  const id = Number(text);
  return id <= ROUND_ID_MAX ? id : null;
}

/** A round id argument; a value that cannot be a round id is a BAD_USER_INPUT error. */
export function roundIdArg(name: string, value: string | number): number {
  const id = roundIdOrNull(value);
  if (id === null) throw badUserInput(`${name} must be a round id (a whole number from 0 to ${ROUND_ID_MAX})`);
  return id;
}

export interface ConnectionArgs {
  after?: string | null;
  before?: string | null;
}

/**
 * Checks the `after`/`before` cursors of a Prisma connection whose cursor is an id of `kind`
 * (Pothos decodes a cursor into any type; the database accepts only its own).
 */
export function checkCursorArgs(args: ConnectionArgs, kind: 'roundId' | 'text'): void {
  for (const name of ['after', 'before'] as const) {
    const cursor = args[name];
    if (cursor === null || cursor === undefined) continue;
    let value: unknown;
    try {
      value = parsePrismaCursor(cursor);
    } catch {
      throw badUserInput(`${name} is not a cursor of this connection`);
    }
    const fits =
      kind === 'roundId'
        ? typeof value === 'number' && roundIdOrNull(value) !== null
        : typeof value === 'string' && !value.includes('\u0000');
    if (!fits) throw badUserInput(`${name} is not a cursor of this connection`);
  }
}
