/**
 * The chat message that announces a win in the streamer's Twitch chat, sent by the outbox worker
 * as the broadcaster (POST /helix/chat/messages, sender_id = broadcaster_id, user:write:chat).
 */
import type { Db } from '../../db/database';
import { TwitchNotLinkedError } from '../../errors/domain-errors';
import type { OutboxHandler } from '../../outbox/outbox-worker';
import {
  CHAT_MESSAGE_MAX_LENGTH,
  ChatMessageTooLongError,
  chatMessageLength,
  HelixError,
  TwitchAuthError,
  type HelixClient,
} from '../api';
import type { TwitchCredentialStore } from '../credentials/credential-store';

export const TWITCH_CHAT_CHANNEL = 'TWITCH_CHAT';

const TEMPLATES: Record<'pt-BR' | 'en', (winner: string, prize: string) => string> = {
  'pt-BR': (winner, prize) => `🎉 Parabéns, @${winner}! Você ganhou ${prize} no sorteio!`,
  en: (winner, prize) => `🎉 Congratulations, @${winner}! You won ${prize} in the raffle!`,
};

/** pt-BR unless the streamer chose an English locale. Never longer than Twitch's 500 characters. */
export function winAnnouncement(locale: string, winnerLogin: string, prize: string): string {
  const template = locale.toLowerCase().startsWith('en') ? TEMPLATES.en : TEMPLATES['pt-BR'];
  const text = template(winnerLogin, prize);
  const excess = chatMessageLength(text) - CHAT_MESSAGE_MAX_LENGTH;
  if (excess <= 0) return text;
  const shortened = [...prize].slice(0, Math.max(1, chatMessageLength(prize) - excess - 1)).join('');
  return template(winnerLogin, `${shortened}…`);
}

export interface TwitchChatAnnouncerDeps {
  db: Db;
  /** A client that does not retry by itself: the outbox owns retries, so each attempt is recorded. */
  helix: HelixClient;
  credentials: Pick<TwitchCredentialStore, 'tokenSource'>;
}

/** Outbox handler for TWITCH_CHAT rows: one chat message per winning round. */
export function twitchChatAnnouncer(deps: TwitchChatAnnouncerDeps): OutboxHandler {
  return async (message) => {
    const round = await deps.db.round.findUnique({
      where: { id: message.roundId },
      select: {
        winnerLogin: true,
        item: { select: { name: true } },
        raffle: { select: { streamer: { select: { id: true, twitchUserId: true, locale: true } } } },
      },
    });
    if (!round?.winnerLogin || !round.item) return { kind: 'failed', error: 'the round has no winner to announce' };
    const { streamer } = round.raffle;
    if (!streamer.twitchUserId) return { kind: 'failed', error: 'the streamer is not linked to Twitch any more' };
    try {
      const sent = await deps.helix.sendChatMessage({
        broadcasterId: streamer.twitchUserId,
        senderId: streamer.twitchUserId,
        message: winAnnouncement(streamer.locale, round.winnerLogin, round.item.name),
        token: deps.credentials.tokenSource(streamer.id),
      });
      if (!sent.isSent) {
        const reason = sent.dropReason ? `${sent.dropReason.code}: ${sent.dropReason.message}` : 'Twitch did not send the message';
        return { kind: 'dropped', reason };
      }
      return { kind: 'sent', externalId: sent.messageId };
    } catch (error) {
      if (error instanceof TwitchNotLinkedError || error instanceof ChatMessageTooLongError) {
        return { kind: 'failed', error: error.message };
      }
      if (error instanceof HelixError) {
        const transient = error.status === null || error.status === 429 || error.status >= 500;
        return { kind: transient ? 'retry' : 'failed', error: error.message };
      }
      if (error instanceof TwitchAuthError) return { kind: error.retryable ? 'retry' : 'failed', error: error.message };
      throw error;
    }
  };
}
