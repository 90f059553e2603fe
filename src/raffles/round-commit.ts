import { createHash } from 'node:crypto';
import { eligibleChatters, type EligibilityRules } from '../chatters/eligibility';
import { compareUtf8 } from '../fairness/bytes';
import { canonicalEntrants, entrantsList, type SourceRef } from '../fairness/canonical';
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

export interface EntrantList {
  /** Canonical order (bytewise by userId), tickets 1 each. */
  entrants: StoredEntrant[];
  entrantsHash: string;
}

/**
 * The eligible entrants of a raffle's next round, remembered per raffle while the chat reading
 * and the exclusions stay the same (a raffle that allows repeat winners over a cached chat of
 * 100k draws each round from the same list: filtered, checked and hashed once). The hash is the
 * fairness core's entrantsList under SHA-256 (node:crypto here, the same function).
 */
export class EntrantLists {
  private readonly recent = new Map<string, { chatters: readonly Chatter[]; rulesKey: string; list: EntrantList }>();

  constructor(private readonly max = 16) {}

  of(raffleId: string, chatters: readonly Chatter[], rules: EligibilityRules): EntrantList {
    const sorted = sortedChatters(chatters);
    const rulesKey = JSON.stringify([[...rules.excludeUserIds].sort(), [...rules.excludeLogins].map((login) => login.toLowerCase()).sort()]);
    const hit = this.recent.get(raffleId);
    if (hit && hit.chatters === sorted && hit.rulesKey === rulesKey) return hit.list;
    // Tickets 1 each (no luck on this path). A literal of one shape, not a spread of the chatter:
    // every later pass over 100k entrants (checks, lists, gzip JSON, derivation) stays monomorphic.
    const entrants = canonicalEntrants(
      eligibleChatters(sorted, rules).map((chatter): StoredEntrant => ({ userId: chatter.userId, login: chatter.login, displayName: chatter.displayName, tickets: 1 })),
    );
    const list = { entrants, entrantsHash: createHash('sha256').update(entrantsList(entrants), 'utf8').digest('hex') };
    this.recent.delete(raffleId);
    this.recent.set(raffleId, { chatters: sorted, rulesKey, list });
    if (this.recent.size > this.max) this.recent.delete(this.recent.keys().next().value!);
    return list;
  }
}
