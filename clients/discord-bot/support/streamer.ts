import type { RepliableInteraction } from 'discord.js';
import type { BotContext } from '../commands/index';
import type { ResultOf } from '../graphql/graphql';
import { StreamerByGuild } from '../graphql/streamers';
import { messagesFor } from '../i18n';
import { respondEphemeralError } from './replies';

export type GuildStreamer = NonNullable<ResultOf<typeof StreamerByGuild>['streamerByGuild']>;

/**
 * The streamer of the interaction's guild, or null after telling the user how to set the guild up
 * (or that the command only works in a guild). Also makes sure the announcer follows it.
 */
export async function requireStreamer(interaction: RepliableInteraction, context: BotContext): Promise<GuildStreamer | null> {
  const messages = messagesFor(interaction.locale);
  if (!interaction.guildId) {
    await respondEphemeralError(interaction, messages.errors.guildOnly);
    return null;
  }
  const { streamerByGuild } = await context.api.request(StreamerByGuild, { guildId: interaction.guildId });
  if (!streamerByGuild) {
    await respondEphemeralError(interaction, messages.errors.notRegistered);
    return null;
  }
  context.announcements.track({ id: streamerByGuild.id, guildId: interaction.guildId });
  return streamerByGuild;
}
