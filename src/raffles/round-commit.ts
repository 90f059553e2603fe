import { compareUtf8 } from '../fairness/bytes';
import type { SourceRef } from '../fairness/canonical';
import type { RoundCommit } from '../fairness/proof-bundle';
import type { Chatter } from '../chatters/chatter';
import type { StoredEntrant } from '../proofs/entrant-snapshots';

/* Reading and writing the stored forms of a commit (round_commits): itemsList lines and the source string. */

/** `id:weight` lines (the canonical itemsList) back to items. */
export function parseItemsList(list: string): { id: string; weight: number }[] {
  if (list === '') return [];
  return list.split('\n').map((line) => {
    const at = line.lastIndexOf(':');
    return { id: line.slice(0, at), weight: Number(line.slice(at + 1)) };
  });
}

export function itemsListOf(items: readonly { id: string; weight: number }[]): string {
  return items.map((item) => `${item.id}:${item.weight}`).join('\n');
}

/** `drand:<chainHash>:<R>` or `sealed:<sealHash>` back to its parts. */
export function parseSource(source: string): SourceRef {
  const [kind, hash, round] = source.split(':');
  if (kind === 'drand' && hash && round) return { kind: 'drand', chainHash: hash, round: Number(round) };
  if (kind === 'sealed' && hash) return { kind: 'sealed', sealHash: hash };
  throw new Error(`unknown round source ${JSON.stringify(source)}`);
}

/** The stored row's fields as the proof builder's RoundCommit (inputs as given, hashes as stored). */
export function commitFromRow(
  row: { raffleId: string; number: number; forced: boolean; chancePpm: number; itemsHash: string; entrantsHash: string; source: string; commitHash: string },
  items: { id: string; weight: number }[],
  entrants: readonly StoredEntrant[],
): RoundCommit {
  return {
    raffleId: row.raffleId,
    roundNumber: row.number,
    forced: row.forced,
    chancePpm: row.chancePpm,
    items,
    entrants: entrants.map(({ userId, login, tickets }) => ({ userId, login, tickets })),
    itemsHash: row.itemsHash,
    entrantsHash: row.entrantsHash,
    source: parseSource(row.source),
    commitHash: row.commitHash,
  };
}

/**
 * Chatters sorted bytewise by user id, cached per snapshot array: a chatter source serves one
 * reading for a few seconds, and the eligibility filter keeps the order, so a round over 100k
 * chatters sorts once per reading rather than once per round.
 */
const sortedByReading = new WeakMap<readonly Chatter[], Chatter[]>();
export function sortedChatters(chatters: readonly Chatter[]): Chatter[] {
  let sorted = sortedByReading.get(chatters);
  if (!sorted) {
    sorted = [...chatters].sort((a, b) => compareUtf8(a.userId, b.userId));
    sortedByReading.set(chatters, sorted);
  }
  return sorted;
}
