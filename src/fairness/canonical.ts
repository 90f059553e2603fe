import { compareUtf8, sha256Hex } from './bytes';

/*
 * The canonical inputs of a round (FAIRNESS.md v1, "Canonical inputs"): UTF-8 lines joined by
 * "\n" with no trailing newline, sorted bytewise by id.
 */

export const COMMIT_TAG = 'kinoyu-round-v1';

export interface CanonicalItem {
  id: string;
  weight: number;
}

export interface CanonicalEntrant {
  userId: string;
  tickets: number;
}

/** Thrown for inputs that have no canonical form (empty id, newline in an id, non-positive weight). */
export class CanonicalInputError extends Error {
  override name = 'CanonicalInputError';
}

function checkId(kind: string, id: string): void {
  if (typeof id !== 'string' || id === '' || /[\n\r]/.test(id)) {
    throw new CanonicalInputError(`${kind} id must be a non-empty string without line breaks: ${JSON.stringify(id)}`);
  }
}

function checkCount(kind: string, id: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CanonicalInputError(`${kind} ${JSON.stringify(id)} needs a positive integer, got ${String(value)}`);
  }
}

function sortedUnique<T>(entries: readonly T[], idOf: (entry: T) => string, kind: string): T[] {
  // Rounds hand over lists that are canonical already (and 100k long): one pass proves it.
  let ordered = true;
  for (let i = 1; i < entries.length && ordered; i += 1) ordered = compareUtf8(idOf(entries[i - 1]!), idOf(entries[i]!)) < 0;
  if (ordered) return [...entries];
  const sorted = [...entries].sort((a, b) => compareUtf8(idOf(a), idOf(b)));
  for (let i = 1; i < sorted.length; i += 1) {
    if (idOf(sorted[i]!) === idOf(sorted[i - 1]!)) throw new CanonicalInputError(`duplicate ${kind} id ${JSON.stringify(idOf(sorted[i]!))}`);
  }
  return sorted;
}

/** The items in canonical order (bytewise by id); throws CanonicalInputError on bad input. */
export function canonicalItems(items: readonly CanonicalItem[]): CanonicalItem[] {
  for (const item of items) {
    checkId('item', item.id);
    checkCount('item', item.id, item.weight);
  }
  return sortedUnique(items, (item) => item.id, 'item');
}

/** The entrants in canonical order (bytewise by userId); throws CanonicalInputError on bad input. */
export function canonicalEntrants<T extends CanonicalEntrant>(entrants: readonly T[]): T[] {
  for (const entrant of entrants) {
    checkId('entrant', entrant.userId);
    checkCount('entrant', entrant.userId, entrant.tickets);
  }
  return sortedUnique(entrants, (entrant) => entrant.userId, 'entrant');
}

/** `id:weight` lines, sorted by id. */
export function itemsList(items: readonly CanonicalItem[]): string {
  return canonicalItems(items)
    .map((item) => `${item.id}:${item.weight}`)
    .join('\n');
}

/** `userId:tickets` lines, sorted by userId. */
export function entrantsList(entrants: readonly CanonicalEntrant[]): string {
  return canonicalEntrants(entrants)
    .map((entrant) => `${entrant.userId}:${entrant.tickets}`)
    .join('\n');
}

export const itemsHash = (items: readonly CanonicalItem[]): string => sha256Hex(itemsList(items));
export const entrantsHash = (entrants: readonly CanonicalEntrant[]): string => sha256Hex(entrantsList(entrants));

/** round(drawChance × 1,000,000); drawChance in [0, 1]. */
export function chancePpm(drawChance: number): number {
  if (!Number.isFinite(drawChance) || drawChance < 0 || drawChance > 1) {
    throw new CanonicalInputError(`drawChance must be in [0, 1], got ${String(drawChance)}`);
  }
  return Math.round(drawChance * 1_000_000);
}

export type SourceRef = { kind: 'drand'; chainHash: string; round: number } | { kind: 'sealed'; sealHash: string };

/** `drand:<chainHash>:<R>` or `sealed:<sealHash>`. */
export function sourceString(source: SourceRef): string {
  return source.kind === 'drand' ? `drand:${source.chainHash}:${source.round}` : `sealed:${source.sealHash}`;
}

export interface CommitInput {
  raffleId: string;
  roundNumber: number;
  forced: boolean;
  chancePpm: number;
  itemsHash: string;
  entrantsHash: string;
  source: SourceRef;
}

/** The commit text: eight lines, no trailing newline. */
export function commitText(input: CommitInput): string {
  return [
    COMMIT_TAG,
    input.raffleId,
    String(input.roundNumber),
    input.forced ? '1' : '0',
    String(input.chancePpm),
    input.itemsHash,
    input.entrantsHash,
    sourceString(input.source),
  ].join('\n');
}

export const commitHash = (input: CommitInput): string => sha256Hex(commitText(input));
