import { Readable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import type { Db } from '../db/database';

/** Rounds read from the database per query while a CSV streams out. */
export const CSV_PAGE_SIZE = 500;

/**
 * The columns of a raffle's rounds CSV, in order (the header row names them):
 * number, at (ISO 8601, UTC), outcome (WINNER | SKIPPED | NO_ELIGIBLE_CHATTERS | NO_ITEMS | …),
 * eligibleCount, itemId, itemName, winnerUserId, winnerLogin, winnerDisplayName (the item and
 * winner columns are empty unless WINNER), roundId, verifyUrl (PUBLIC_URL/verify/<roundId>).
 */
export const ROUNDS_CSV_COLUMNS = [
  'number',
  'at',
  'outcome',
  'eligibleCount',
  'itemId',
  'itemName',
  'winnerUserId',
  'winnerLogin',
  'winnerDisplayName',
  'roundId',
  'verifyUrl',
] as const;

type CsvRow = Record<(typeof ROUNDS_CSV_COLUMNS)[number], string | number>;

/** The raffle's rounds in order, read a page at a time (keyset on `number`), never all at once. */
async function* roundRows(db: Db, raffleId: string, publicUrl: string): AsyncGenerator<CsvRow> {
  let after = 0;
  for (;;) {
    const page = await db.round.findMany({
      where: { raffleId, number: { gt: after } },
      orderBy: { number: 'asc' },
      take: CSV_PAGE_SIZE,
      select: {
        id: true,
        number: true,
        at: true,
        outcome: true,
        eligibleCount: true,
        itemId: true,
        item: { select: { name: true } },
        winnerUserId: true,
        winnerLogin: true,
        winnerDisplayName: true,
      },
    });
    for (const round of page) {
      yield {
        number: round.number,
        at: round.at.toISOString(),
        outcome: round.outcome,
        eligibleCount: round.eligibleCount,
        itemId: round.itemId ?? '',
        itemName: round.item?.name ?? '',
        winnerUserId: round.winnerUserId ?? '',
        winnerLogin: round.winnerLogin ?? '',
        winnerDisplayName: round.winnerDisplayName ?? '',
        roundId: round.id,
        verifyUrl: `${publicUrl}/verify/${round.id}`,
      };
    }
    if (page.length < CSV_PAGE_SIZE) return;
    after = page[page.length - 1]!.number;
  }
}

/**
 * The CSV as a stream: RFC 4180 quoting by csv-stringify, and its formula guard (`escape_formulas`:
 * a cell starting with = + - @ tab or CR gets a leading ', so a spreadsheet shows a name like
 * "=HYPERLINK(…)" as text instead of running it). Reads the next page only when the previous one
 * was taken (backpressure through the pipe).
 */
export function roundsCsv(db: Db, raffleId: string, publicUrl: string, onError: (error: unknown) => void): Stringifier {
  const csv = stringify({ header: true, columns: [...ROUNDS_CSV_COLUMNS], escape_formulas: true, record_delimiter: 'windows' });
  const rows = Readable.from(roundRows(db, raffleId, publicUrl));
  rows.on('error', (error) => {
    onError(error);
    csv.destroy(error);
  });
  rows.pipe(csv);
  return csv;
}
