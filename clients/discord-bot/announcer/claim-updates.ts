import { DiscordAPIError, RESTJSONErrorCodes, type Client, type Message } from 'discord.js';
import { messagesFor } from '../i18n';
import type { Logger } from '../logger';
import type { UpdateClaim } from './feed';
import { buildWinnerEmbed } from './winner-embed';

/** How many of the channel's latest messages are searched for a win posted before a restart. */
export const HISTORY_SEARCH_LIMIT = 100;

/** Discord errors after which the announcement cannot be edited (gone, no access): nothing to retry. */
const PERMANENT_EDIT_ERRORS = new Set<number | string>([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.UnknownMessage,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
]);

/**
 * Where each win's announcement is, by round id: filled when the publisher posts it, so a claim
 * update edits that message directly. After a restart the map is empty and the message is found
 * again in the channel's last HISTORY_SEARCH_LIMIT messages: the bot's own message whose embed
 * links to the round's verify page (its url). A claim lasts at most 10 minutes, so its win is
 * among the channel's latest messages; no message id needs storing on the server.
 */
export class AnnouncementMessages {
  private readonly ids = new Map<string, string>();

  remember(roundId: string, messageId: string): void {
    this.ids.set(roundId, messageId);
  }

  forget(roundId: string): void {
    this.ids.delete(roundId);
  }

  get(roundId: string): string | undefined {
    return this.ids.get(roundId);
  }
}

/**
 * Edits a win's announcement to the round's claim as it is now (claimed ✓, or expired and
 * redrawn), with PATCH /channels/{id}/messages/{id}. Idempotent: an embed already showing that
 * claim is left alone. `missing` when the message cannot be found or edited any more.
 */
export function createClaimUpdater(client: Client, logger: Logger, messages: AnnouncementMessages): UpdateClaim {
  return async (round, channelId, guildId) => {
    const catalog = messagesFor(client.guilds.cache.get(guildId)?.preferredLocale);
    try {
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isTextBased() || !('messages' in channel)) return 'missing';
      const message = await findAnnouncement(client, channel.messages, messages.get(round.id), round.verifyUrl);
      if (!message) {
        logger.warn({ channelId, roundId: round.id }, 'win announcement not found; claim not shown');
        return 'missing';
      }
      messages.remember(round.id, message.id);
      const embed = buildWinnerEmbed(round, catalog);
      const current = message.embeds[0]?.fields.map((field) => field.value) ?? [];
      if (current.length === embed.fields?.length && embed.fields.every((field, i) => field.value === current[i])) return 'unchanged';
      await message.edit({ embeds: [embed] });
      if (round.claim?.status !== 'PENDING') messages.forget(round.id);
      return 'edited';
    } catch (error) {
      if (error instanceof DiscordAPIError && PERMANENT_EDIT_ERRORS.has(error.code)) {
        logger.warn({ channelId, roundId: round.id, code: error.code }, `cannot edit the win: ${error.message}`);
        return 'missing';
      }
      throw error;
    }
  };
}

type MessageManager = Extract<Awaited<ReturnType<Client['channels']['fetch']>>, { messages: unknown }>['messages'];

async function findAnnouncement(client: Client, manager: MessageManager, knownId: string | undefined, verifyUrl: string): Promise<Message | undefined> {
  if (knownId) {
    try {
      return await manager.fetch(knownId);
    } catch (error) {
      if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
    }
  }
  const latest = await manager.fetch({ limit: HISTORY_SEARCH_LIMIT });
  return latest.find((message) => message.author.id === client.user?.id && message.embeds.some((embed) => embed.url === verifyUrl));
}
