import { createHash } from 'node:crypto';
import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import { messagesFor } from '../i18n';
import type { Logger } from '../logger';
import type { AnnouncementMessages } from './claim-updates';
import type { Publish } from './feed';
import { buildWinnerEmbed } from './winner-embed';

/** Discord errors after which a post can never succeed, so the win is dropped rather than retried forever. */
const PERMANENT_POST_ERRORS = new Set<number | string>([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel,
]);

/** Discord's limit for a message nonce string. */
export const NONCE_MAX_LENGTH = 25;

/**
 * The Create Message nonce of a round's announcement: the same for every attempt, by any bot
 * process, so Discord's `enforce_nonce` returns the message already created instead of a
 * second one. Discord takes an integer or a string of at most 25 characters, and round ids are
 * free-form ID strings that may be longer, so: "w" + the first 24 base64url characters (144
 * bits) of SHA-256("kinoyu-win:" + roundId). Stable, always 25 characters, and a collision
 * between two rounds is out of reach (it would also need the same few-minute window).
 */
export function announcementNonce(roundId: string): string {
  const digest = createHash('sha256').update(`kinoyu-win:${roundId}`).digest('base64url');
  return `w${digest.slice(0, NONCE_MAX_LENGTH - 1)}`;
}

/**
 * Posts a winner embed in the channel, idempotently: the nonce with `enforceNonce` makes a
 * repeat within Discord's window (a crash between the post and `markRoundsAnnouncedInDiscord`,
 * then a restart) return the first message instead of creating another. The message id of a
 * win whose claim is pending goes to `posted`, for the edit when the claim ends.
 */
export function createDiscordPublisher(client: Client, logger: Logger, posted?: AnnouncementMessages): Publish {
  return async (round, channelId, guildId) => {
    const messages = messagesFor(client.guilds.cache.get(guildId)?.preferredLocale);
    try {
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isSendable()) return 'dropped';
      const message = await channel.send({ embeds: [buildWinnerEmbed(round, messages)], nonce: announcementNonce(round.id), enforceNonce: true });
      // Kept for the claim update (claim-updates.ts) of a round with a claim window.
      if (round.claim?.status === 'PENDING') posted?.remember(round.id, message.id);
      return 'posted';
    } catch (error) {
      if (error instanceof DiscordAPIError && PERMANENT_POST_ERRORS.has(error.code)) {
        logger.warn({ channelId, roundId: round.id, code: error.code }, `cannot post the win: ${error.message}`);
        return 'dropped';
      }
      throw error;
    }
  };
}
