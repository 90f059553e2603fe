/**
 * A raffle's entry options (issue 13): how people enter, the tickets per role, the claim window
 * and which Shared Chat messages count. One validation for every caller (GraphQL, the bot, the
 * dashboard): every problem is reported per field, and nothing starts while one remains.
 */
import type { FieldProblem } from '../errors/domain-errors';
import type { EntryMode, SharedChatMode } from '../generated/prisma/enums';
import { CHAT_READ_SCOPE, LUCK_SCOPES, type LuckRole } from './twitch-scopes';

export const KEYWORD_MAX_LENGTH = 25;
export const TICKETS_MIN = 1;
export const TICKETS_MAX = 10;
export const CLAIM_SECONDS_MAX = 600;

export interface EntryOptionsInput {
  entry?: { mode?: EntryMode | null; keyword?: string | null } | null;
  luck?: { subscriber?: number | null; vip?: number | null; moderator?: number | null } | null;
  claimSeconds?: number | null;
  sharedChat?: SharedChatMode | null;
}

/** The columns of a raffle these options fill. */
export interface EntryOptions {
  entryMode: EntryMode;
  entryKeyword: string | null;
  luckSubscriber: number;
  luckVip: number;
  luckModerator: number;
  claimSeconds: number;
  sharedChat: SharedChatMode;
}

/** What the streamer's Twitch link allows (null scopes: Twitch is not configured, the demo chat runs). */
export interface ChatCapabilities {
  scopes: readonly string[] | null;
}

/** Characters as people count them (code points), after NFC. */
function length(text: string): number {
  return [...text].length;
}

/**
 * Validates and normalises the options. `capabilities` is the streamer's granted scopes: a KEYWORD
 * raffle needs user:read:chat, presence luck needs the role scopes of the roles given luck.
 */
export function parseEntryOptions(input: EntryOptionsInput, capabilities: ChatCapabilities): { options: EntryOptions; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const mode: EntryMode = input.entry?.mode ?? 'PRESENCE';
  let keyword: string | null = null;
  if (mode === 'KEYWORD') {
    const raw = (input.entry?.keyword ?? '').normalize('NFC').trim();
    if (raw === '') {
      problems.push({ path: ['input', 'entry', 'keyword'], message: 'a KEYWORD raffle needs a keyword (1 to 25 characters, one word)' });
    } else if (length(raw) > KEYWORD_MAX_LENGTH) {
      problems.push({ path: ['input', 'entry', 'keyword'], message: `the keyword may have at most ${KEYWORD_MAX_LENGTH} characters` });
    } else if (/\s/u.test(raw)) {
      problems.push({ path: ['input', 'entry', 'keyword'], message: 'the keyword must be one word (no spaces)' });
    } else {
      keyword = raw;
    }
    if (capabilities.scopes === null) {
      problems.push({ path: ['input', 'entry', 'mode'], message: 'KEYWORD entry reads the Twitch chat: this server has no Twitch configured' });
    } else if (!capabilities.scopes.includes(CHAT_READ_SCOPE)) {
      problems.push({
        path: ['input', 'entry', 'mode'],
        message: `KEYWORD entry reads the Twitch chat, and this streamer's Twitch link lacks ${CHAT_READ_SCOPE}: reconnect Twitch once (/link) and approve it`,
      });
    }
  }

  const tickets = (role: LuckRole): number => {
    const value = input.luck?.[role] ?? 1;
    if (!Number.isInteger(value) || value < TICKETS_MIN || value > TICKETS_MAX) {
      problems.push({ path: ['input', 'luck', role], message: `${role} tickets must be a whole number from ${TICKETS_MIN} to ${TICKETS_MAX}` });
      return 1;
    }
    if (value > 1 && mode === 'PRESENCE' && capabilities.scopes !== null) {
      const scope = LUCK_SCOPES[role];
      if (!capabilities.scopes.includes(scope)) {
        problems.push({
          path: ['input', 'luck', role],
          message: `${role} luck in presence mode reads roles from Twitch, and this streamer's Twitch link lacks ${scope}: reconnect Twitch once (/link) and approve it, or use KEYWORD entry (roles come from chat badges)`,
        });
      }
    }
    return value;
  };
  const luckSubscriber = tickets('subscriber');
  const luckVip = tickets('vip');
  const luckModerator = tickets('moderator');

  const claimSeconds = input.claimSeconds ?? 0;
  if (!Number.isInteger(claimSeconds) || claimSeconds < 0 || claimSeconds > CLAIM_SECONDS_MAX) {
    problems.push({ path: ['input', 'claimSeconds'], message: `claimSeconds must be a whole number from 0 (no claim window) to ${CLAIM_SECONDS_MAX}` });
  }
  return {
    options: {
      entryMode: mode,
      entryKeyword: keyword,
      luckSubscriber,
      luckVip,
      luckModerator,
      claimSeconds,
      sharedChat: input.sharedChat ?? 'OWN_CHAT',
    },
    problems,
  };
}
