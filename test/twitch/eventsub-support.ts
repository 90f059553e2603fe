/** Helpers for the EventSub chat tests: keyword raffles, chat lines through the stand-in, entries. */
import { expect } from 'vitest';
import type { FakeTwitch } from '../stand-ins/twitch/fake-twitch.js';
import type { ChatBadge } from '../stand-ins/twitch/eventsub/messages.js';
import { addItems } from '../support/factories.js';
import { execute } from '../support/graphql.js';
import type { TestApp } from '../support/test-app.js';
import { BROADCASTER } from './support.js';

export const START_RAFFLE = /* GraphQL */ `
  mutation Start($input: StartRaffleInput!) {
    startRaffle(input: $input) {
      __typename
      ... on Raffle { id status entry { mode keyword } luck { subscriber vip moderator } claimSeconds sharedChat }
      ... on ValidationError { message problems { path message } }
      ... on Error { message }
    }
  }
`;

let itemSeq = 0;

export async function startKeywordRaffle(api: TestApp, streamerId: string, input: Record<string, unknown> = {}) {
  itemSeq += 1;
  await addItems(api.url, streamerId, [{ name: `skin ${itemSeq}`, weight: 1, stock: 5 }]);
  const { startRaffle } = await execute(api.url, START_RAFFLE, {
    input: { streamerId, intervalSeconds: 3600, entry: { mode: 'KEYWORD', keyword: 'sorteio' }, ...input },
  });
  if (startRaffle.__typename !== 'Raffle') throw new Error(`startRaffle: ${JSON.stringify(startRaffle)}`);
  return startRaffle as { id: string };
}

let chatterSeq = 0;
export function chatter(prefix = 'viewer') {
  chatterSeq += 1;
  const id = String(700_000 + chatterSeq);
  return { id, login: `${prefix}${chatterSeq}`, name: `${prefix[0]!.toUpperCase()}${prefix.slice(1)}${chatterSeq}` };
}

export const BROADCASTER_REF = { id: BROADCASTER.id, login: BROADCASTER.login, name: BROADCASTER.displayName };

export function say(
  twitch: FakeTwitch,
  who: { id: string; login: string; name: string },
  text: string,
  options: { badges?: ChatBadge[]; source?: { id: string; login: string; name: string } | null; duplicate?: boolean } = {},
) {
  return twitch.eventsub.chatMessage({ broadcaster: BROADCASTER_REF, chatter: who, text, ...options });
}

export const badge = (setId: string): ChatBadge => ({ set_id: setId, id: '1', info: '' });

export interface EntryRow {
  user_id: string;
  login: string;
  subscriber: boolean;
  vip: boolean;
  moderator: boolean;
  source_broadcaster_id: string | null;
}

export async function entries(api: TestApp, raffleId: string): Promise<EntryRow[]> {
  return api.services.db.$queryRaw<EntryRow[]>`
    SELECT user_id, login, subscriber, vip, moderator, source_broadcaster_id
      FROM raffle_entries WHERE raffle_id = ${raffleId} ORDER BY user_id`;
}

/** Polls until `check` passes (it throws until then), or fails with its last error. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function expectEntries(api: TestApp, raffleId: string, userIds: string[], timeoutMs?: number) {
  return eventually(async () => {
    const rows = await entries(api, raffleId);
    expect(rows.map((row) => row.user_id).sort()).toEqual([...userIds].sort());
    return rows;
  }, timeoutMs);
}

/** Waits until the broadcaster's four subscriptions (chat message, shared chat ×3) exist on one session. */
export async function waitForChatSubscriptions(twitch: FakeTwitch, broadcasterId: string, notSession?: string) {
  return eventually(() => {
    const mine = [...twitch.eventsub.subscriptions.values()].filter(
      (s) => s.condition.broadcaster_user_id === broadcasterId && s.transport.session_id !== notSession,
    );
    expect(mine).toHaveLength(4);
    expect(new Set(mine.map((s) => s.transport.session_id)).size).toBe(1);
    return mine.find((s) => s.type === 'channel.chat.message')!;
  });
}

export function chatOf(api: TestApp) {
  const chat = api.services.twitch.runtime?.chat;
  if (!chat) throw new Error('Twitch is not configured on this app');
  return chat;
}
