/**
 * The chat message when a raffle starts (issue 13), sent through the outbox like win
 * announcements (TWITCH_CHAT_START rows, one per raffle, written with the raffle): how to enter
 * (the keyword, or just being in chat), the claim rule when there is a window, and the
 * TWITCH_PROMOTION_DISCLAIMER line (default "Twitch does not sponsor or endorse broadcaster
 * promotions"). Never longer than Twitch's 500 characters: the disclaimer is never cut.
 */
import type { Db } from '../../db/database';
import type { OutboxHandler } from '../../outbox/outbox-worker';
import { CHAT_MESSAGE_MAX_LENGTH, chatMessageLength, type HelixClient } from '../api';
import type { TwitchCredentialStore } from '../credentials/credential-store';
import { deliveryResultOf } from './win-announcer';

export const TWITCH_CHAT_START_CHANNEL = 'TWITCH_CHAT_START';

export interface StartAnnouncementRaffle {
  entryMode: 'PRESENCE' | 'KEYWORD';
  entryKeyword: string | null;
  claimSeconds: number;
}

const TEXT = {
  'pt-BR': {
    started: '🎁 Sorteio começou!',
    keyword: (keyword: string) => ` Para participar, digite ${keyword} no chat.`,
    presence: ' Para participar, basta estar no chat.',
    claim: (seconds: number) => ` Quem ganhar tem ${seconds} s para digitar !resgatar, senão o prêmio é sorteado de novo.`,
  },
  en: {
    started: '🎁 The raffle has started!',
    keyword: (keyword: string) => ` To enter, type ${keyword} in chat.`,
    presence: ' To enter, just be in chat.',
    claim: (seconds: number) => ` Winners have ${seconds} s to type !claim, or the prize is drawn again.`,
  },
} as const;

export function startAnnouncement(locale: string, raffle: StartAnnouncementRaffle, disclaimer: string): string {
  const text = locale.toLowerCase().startsWith('en') ? TEXT.en : TEXT['pt-BR'];
  const entry = raffle.entryMode === 'KEYWORD' && raffle.entryKeyword ? text.keyword(raffle.entryKeyword) : text.presence;
  const claim = raffle.claimSeconds > 0 ? text.claim(raffle.claimSeconds) : '';
  const tail = disclaimer ? ` ${disclaimer}` : '';
  const body = `${text.started}${entry}${claim}`;
  const room = CHAT_MESSAGE_MAX_LENGTH - chatMessageLength(tail);
  // The parts are bounded (keyword ≤ 25, disclaimer ≤ 200): this cut is a guard, never reached today.
  const fitted = chatMessageLength(body) <= room ? body : `${[...body].slice(0, room - 1).join('')}…`;
  return `${fitted}${tail}`;
}

export interface StartAnnouncerDeps {
  db: Db;
  helix: HelixClient;
  credentials: Pick<TwitchCredentialStore, 'tokenSource'>;
  disclaimer: string;
}

/** Outbox handler for TWITCH_CHAT_START rows. */
export function twitchStartAnnouncer(deps: StartAnnouncerDeps): OutboxHandler {
  return async (message) => {
    if (message.raffleId === null) return { kind: 'failed', error: 'a start announcement needs a raffle' };
    const raffle = await deps.db.raffle.findUnique({
      where: { id: message.raffleId },
      select: { entryMode: true, entryKeyword: true, claimSeconds: true, streamer: { select: { id: true, twitchUserId: true, locale: true } } },
    });
    if (!raffle) return { kind: 'failed', error: 'the raffle is gone' };
    const { streamer } = raffle;
    if (!streamer.twitchUserId) return { kind: 'failed', error: 'the streamer is not linked to Twitch any more' };
    return deliveryResultOf(() =>
      deps.helix.sendChatMessage({
        broadcasterId: streamer.twitchUserId!,
        senderId: streamer.twitchUserId!,
        message: startAnnouncement(streamer.locale, raffle, deps.disclaimer),
        token: deps.credentials.tokenSource(streamer.id),
      }),
    );
  };
}
