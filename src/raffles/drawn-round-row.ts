import type { Item, Round } from '../generated/prisma/client';
import type { RowJson } from '../pubsub/topics';

/*
 * A committed round row (and the item it won) as JSON and back, for the winnerDrawn event
 * (drawn-round.ts): columns as they are, DateTime columns as ISO strings.
 */

/** The DateTime columns of a model (the lists below must name every one: a type error names a missing one). */
type DateColumn<Row> = { [K in keyof Row]-?: NonNullable<Row[K]> extends Date ? K : never }[keyof Row];
type Lists<Row, Listed extends readonly DateColumn<Row>[]> = Exclude<DateColumn<Row>, Listed[number]> extends never ? true : false;

const ROUND_DATE_COLUMNS = ['at', 'discordAnnouncedAt', 'rerolledAt', 'claimDeadline', 'claimedAt'] as const satisfies readonly DateColumn<Round>[];
const ITEM_DATE_COLUMNS = ['removedAt', 'createdAt'] as const satisfies readonly DateColumn<Item>[];
const everyDateColumnListed: [Lists<Round, typeof ROUND_DATE_COLUMNS>, Lists<Item, typeof ITEM_DATE_COLUMNS>] = [true, true];
void everyDateColumnListed;

/** A committed row as JSON, to publish. */
export function rowToJson(row: Round | Item): RowJson {
  const json: RowJson = {};
  for (const [column, value] of Object.entries(row)) {
    if (value instanceof Date) json[column] = value.toISOString();
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) json[column] = value as string | number | boolean | null;
  }
  return json;
}

/** The round back, as Prisma returns it (Date objects). */
export function roundFromJson(json: RowJson): Round {
  return withDates(json, ROUND_DATE_COLUMNS) as unknown as Round;
}

/** The item back, as Prisma returns it (Date objects). */
export function itemFromJson(json: RowJson): Item {
  return withDates(json, ITEM_DATE_COLUMNS) as unknown as Item;
}

function withDates(json: RowJson, columns: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = { ...json };
  for (const column of columns) {
    const value = json[column];
    row[column] = typeof value === 'string' ? new Date(value) : null;
  }
  return row;
}
