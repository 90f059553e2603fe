import type { Item, Prisma, Raffle, Round, RoundCommit, Streamer } from '../generated/prisma/client';

/*
 * Rows the round runner reads and writes in single SQL statements (round-load.ts,
 * complete_round) come back as to_jsonb(row): snake_case columns, timestamps as ISO text. These
 * turn them into the Prisma model types, field by field, so the compiler names any field a
 * model gains and this file does not map yet.
 */

export type JsonRow = Record<string, unknown>;

const text = (row: JsonRow, column: string): string => row[column] as string;
const textOrNull = (row: JsonRow, column: string): string | null => (row[column] ?? null) as string | null;
const num = (row: JsonRow, column: string): number => row[column] as number;
const numOrNull = (row: JsonRow, column: string): number | null => (row[column] ?? null) as number | null;
const date = (row: JsonRow, column: string): Date => new Date(row[column] as string);
const dateOrNull = (row: JsonRow, column: string): Date | null => (row[column] == null ? null : new Date(row[column] as string));

export function raffleFromRow(row: JsonRow): Raffle {
  return {
    id: text(row, 'id'),
    streamerId: text(row, 'streamer_id'),
    status: text(row, 'status') as Raffle['status'],
    intervalSeconds: num(row, 'interval_seconds'),
    drawChance: num(row, 'draw_chance'),
    allowRepeatWinners: row.allow_repeat_winners as boolean,
    startedAt: date(row, 'started_at'),
    endedAt: dateOrNull(row, 'ended_at'),
    endReason: textOrNull(row, 'end_reason') as Raffle['endReason'],
    roundCount: num(row, 'round_count'),
    nextRoundAt: date(row, 'next_round_at'),
    leaseOwner: textOrNull(row, 'lease_owner'),
    leaseUntil: dateOrNull(row, 'lease_until'),
    fairness: text(row, 'fairness') as Raffle['fairness'],
    sealHash: textOrNull(row, 'seal_hash'),
    serverSeedEnc: textOrNull(row, 'server_seed_enc'),
    entryMode: text(row, 'entry_mode') as Raffle['entryMode'],
    entryKeyword: textOrNull(row, 'entry_keyword'),
    luckSubscriber: num(row, 'luck_subscriber'),
    luckVip: num(row, 'luck_vip'),
    luckModerator: num(row, 'luck_moderator'),
    claimSeconds: num(row, 'claim_seconds'),
    sharedChat: text(row, 'shared_chat') as Raffle['sharedChat'],
    excludedUserIds: (row.excluded_user_ids ?? []) as string[],
    pendingRerollOf: numOrNull(row, 'pending_reroll_of'),
  };
}

export function roundFromRow(row: JsonRow): Round {
  return {
    id: num(row, 'id'),
    raffleId: text(row, 'raffle_id'),
    number: num(row, 'number'),
    at: date(row, 'at'),
    outcome: text(row, 'outcome') as Round['outcome'],
    chanceValue: numOrNull(row, 'chance_value'),
    drawValue: numOrNull(row, 'draw_value'),
    itemId: textOrNull(row, 'item_id'),
    eligibleCount: num(row, 'eligible_count'),
    winnerIndex: numOrNull(row, 'winner_index'),
    winnerUserId: textOrNull(row, 'winner_user_id'),
    winnerLogin: textOrNull(row, 'winner_login'),
    winnerDisplayName: textOrNull(row, 'winner_display_name'),
    itemWeight: numOrNull(row, 'item_weight'),
    totalWeight: numOrNull(row, 'total_weight'),
    discordAnnouncedAt: dateOrNull(row, 'discord_announced_at'),
    commitHash: textOrNull(row, 'commit_hash'),
    beaconRandomness: textOrNull(row, 'beacon_randomness'),
    beaconSignature: textOrNull(row, 'beacon_signature'),
    prizeTarget: numOrNull(row, 'prize_target'),
    winnerTarget: numOrNull(row, 'winner_target'),
    winnerTickets: numOrNull(row, 'winner_tickets'),
    rerollOfId: numOrNull(row, 'reroll_of_id'),
    rerolledAt: dateOrNull(row, 'rerolled_at'),
    claimStatus: textOrNull(row, 'claim_status') as Round['claimStatus'],
    claimDeadline: dateOrNull(row, 'claim_deadline'),
    claimedAt: dateOrNull(row, 'claimed_at'),
  };
}

export function itemFromRow(row: JsonRow): Item {
  return {
    id: text(row, 'id'),
    streamerId: text(row, 'streamer_id'),
    name: text(row, 'name'),
    weight: num(row, 'weight'),
    stock: num(row, 'stock'),
    remaining: num(row, 'remaining'),
    removedAt: dateOrNull(row, 'removed_at'),
    createdAt: date(row, 'created_at'),
  };
}

export function streamerFromRow(row: JsonRow): Streamer {
  return {
    id: text(row, 'id'),
    guildId: textOrNull(row, 'guild_id'),
    twitchUserId: textOrNull(row, 'twitch_user_id'),
    login: textOrNull(row, 'login'),
    displayName: textOrNull(row, 'display_name'),
    announceChannelId: textOrNull(row, 'announce_channel_id'),
    overlayKeyEnc: textOrNull(row, 'overlay_key_enc'),
    overlayKeyHash: textOrNull(row, 'overlay_key_hash'),
    legacyOverlayKey: textOrNull(row, 'overlay_key'),
    locale: text(row, 'locale'),
    twitchUnlinkedAt: dateOrNull(row, 'twitch_unlinked_at'),
    twitchUnlinkedReason: textOrNull(row, 'twitch_unlinked_reason'),
    overlaySettings: (row.overlay_settings ?? null) as Prisma.JsonValue,
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
  };
}

export function commitRowFromRow(row: JsonRow): RoundCommit {
  return {
    raffleId: text(row, 'raffle_id'),
    number: num(row, 'number'),
    forced: row.forced as boolean,
    chancePpm: num(row, 'chance_ppm'),
    itemsHash: text(row, 'items_hash'),
    itemsList: textOrNull(row, 'items_list'),
    entrantsHash: text(row, 'entrants_hash'),
    entrantCount: num(row, 'entrant_count'),
    source: text(row, 'source'),
    beaconRound: numOrNull(row, 'beacon_round'),
    commitHash: text(row, 'commit_hash'),
    committedAt: date(row, 'committed_at'),
    inputsPrunedAt: dateOrNull(row, 'inputs_pruned_at'),
  };
}
