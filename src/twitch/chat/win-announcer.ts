/**
 * The chat message that announces a win in the streamer's Twitch chat, sent by the outbox worker
 * as the broadcaster (POST /helix/chat/messages, sender_id = broadcaster_id, user:write:chat).
 */
import type { Db } from '../../db/database';
import { TwitchNotLinkedError } from '../../errors/domain-errors';
import type { DeliveryResult, OutboxHandler } from '../../outbox/outbox-worker';
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

type Template = (winner: string, prize: string, verifyUrl: string) => string;

const TEMPLATES: Record<'pt-BR' | 'en', Template> = {
  'pt-BR': (winner, prize, verifyUrl) => `🎉 Parabéns, @${winner}! Você ganhou ${prize} no sorteio! Confira o sorteio: ${verifyUrl}`,
  en: (winner, prize, verifyUrl) => `🎉 Congratulations, @${winner}! You won ${prize} in the raffle! Check the draw: ${verifyUrl}`,
};

/** How a winner with a claim window claims (appended to the win announcement). */
export const CLAIM_RULES: Record<'pt-BR' | 'en', (seconds: number) => string> = {
  'pt-BR': (seconds) => ` Digite !resgatar no chat em até ${seconds} s para receber, senão o prêmio é sorteado de novo.`,
  en: (seconds) => ` Type !claim in chat within ${seconds} s to receive it, or the prize is drawn again.`,
};

/** `text` in at most `length` characters (code points), an ellipsis marking a cut. */
function shorten(text: string, length: number): string {
  const characters = [...text];
  return characters.length <= length ? text : `${characters.slice(0, Math.max(0, length - 1)).join('')}…`;
}

/**
 * pt-BR unless the streamer chose an English locale, with the round's verify link. Never longer
 * than Twitch's 500 characters: the names (the longer first) are cut, never the link.
 */
export function winAnnouncement(locale: string, winnerLogin: string, prize: string, verifyUrl: string, claimSeconds = 0): string {
  const lang = locale.toLowerCase().startsWith('en') ? 'en' : 'pt-BR';
  const claim = claimSeconds > 0 ? CLAIM_RULES[lang](claimSeconds) : '';
  const template: Template = (winner, item, url) => `${TEMPLATES[lang](winner, item, url)}${claim}`;
  const room = Math.max(2, CHAT_MESSAGE_MAX_LENGTH - chatMessageLength(template('', '', verifyUrl)));
  const [winnerLength, prizeLength] = [chatMessageLength(winnerLogin), chatMessageLength(prize)];
  if (winnerLength + prizeLength <= room) return template(winnerLogin, prize, verifyUrl);
  const half = Math.floor(room / 2);
  const winnerRoom = winnerLength <= half ? winnerLength : prizeLength <= room - half ? room - prizeLength : half;
  return template(shorten(winnerLogin, winnerRoom), shorten(prize, room - winnerRoom), verifyUrl);
}

export interface TwitchChatAnnouncerDeps {
  db: Db;
  /** A client that does not retry by itself: the outbox owns retries, so each attempt is recorded. */
  helix: HelixClient;
  credentials: Pick<TwitchCredentialStore, 'tokenSource'>;
  /** The round's public verify page (PUBLIC_URL/verify/<id>). */
  verifyUrl(roundId: number): string;
}

/** Outbox handler for TWITCH_CHAT rows: one chat message per winning round. */
export function twitchChatAnnouncer(deps: TwitchChatAnnouncerDeps): OutboxHandler {
  return async (message) => {
    if (message.roundId === null) return { kind: 'failed', error: 'a win announcement needs a round' };
    const roundId = message.roundId;
    const round = await deps.db.round.findUnique({
      where: { id: roundId },
      select: {
        winnerLogin: true,
        item: { select: { name: true } },
        raffle: { select: { claimSeconds: true, streamer: { select: { id: true, twitchUserId: true, locale: true } } } },
      },
    });
    if (!round?.winnerLogin || !round.item) return { kind: 'failed', error: 'the round has no winner to announce' };
    const { streamer } = round.raffle;
    if (!streamer.twitchUserId) return { kind: 'failed', error: 'the streamer is not linked to Twitch any more' };
    return deliveryResultOf(() =>
      deps.helix.sendChatMessage({
        broadcasterId: streamer.twitchUserId!,
        senderId: streamer.twitchUserId!,
        message: winAnnouncement(streamer.locale, round.winnerLogin!, round.item!.name, deps.verifyUrl(roundId), round.raffle.claimSeconds),
        token: deps.credentials.tokenSource(streamer.id),
      }),
    );
  };
}

/** One Send Chat Message attempt as the outbox records it (sent, dropped by Twitch, retry or failed). */
export async function deliveryResultOf(send: () => ReturnType<HelixClient['sendChatMessage']>): Promise<DeliveryResult> {
  try {
    const sent = await send();
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
}
