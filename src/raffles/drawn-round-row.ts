import type { Round } from '../generated/prisma/client';
import type { RoundRowJson } from '../pubsub/topics';

/*
 * A committed round row as JSON and back, for the winnerDrawn event (drawn-round.ts): columns as
 * they are, DateTime columns as ISO strings.
 */

/** Every DateTime column of Round: they travel as ISO strings (a type error here names a missing one). */
const ROUND_DATE_COLUMNS = ['at', 'discordAnnouncedAt', 'rerolledAt', 'claimDeadline', 'claimedAt'] as const satisfies readonly DateColumn[];
type DateColumn = { [K in keyof Round]-?: NonNullable<Round[K]> extends Date ? K : never }[keyof Round];
const allDateColumnsListed: Exclude<DateColumn, (typeof ROUND_DATE_COLUMNS)[number]> extends never ? true : false = true;
void allDateColumnsListed;

/** A committed round row as JSON, to publish. */
export function roundToJson(round: Round): RoundRowJson {
  const json: RoundRowJson = {};
  for (const [column, value] of Object.entries(round)) {
    if (value instanceof Date) json[column] = value.toISOString();
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) json[column] = value as string | number | boolean | null;
  }
  return json;
}

/** The row back, as Prisma returns it (Date objects). */
export function roundFromJson(json: RoundRowJson): Round {
  const round: Record<string, unknown> = { ...json };
  for (const column of ROUND_DATE_COLUMNS) {
    const value = json[column];
    round[column] = typeof value === 'string' ? new Date(value) : null;
  }
  return round as unknown as Round;
}
