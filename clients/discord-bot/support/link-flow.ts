import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import type { BotContext } from '../commands/index';
import { ApiRequestError } from '../graphql/api-client';
import { RegisterGuild, StartTwitchLink } from '../graphql/streamers';
import type { Messages } from '../i18n';
import type { Reply } from './replies';
import { describeFailure, isErrorResult } from './results';

/**
 * What `/link` and `!iniciar` do: register the guild's streamer (so the bot can be set up even
 * before Twitch), then ask the server for a single-use Twitch authorize URL for this user.
 */
export async function startLink(
  context: BotContext,
  messages: Messages,
  input: { guildId: string; discordUserId: string },
): Promise<{ reply: Reply; authorizeUrl: string | null }> {
  const { registerGuild } = await context.api.request(RegisterGuild, { guildId: input.guildId });
  if (isErrorResult(registerGuild)) return { reply: { content: describeFailure(messages, registerGuild) }, authorizeUrl: null };
  context.announcements.track({ id: registerGuild.id, guildId: registerGuild.guildId });

  let started;
  try {
    ({ startTwitchLink: started } = await context.api.request(StartTwitchLink, input));
  } catch (error) {
    if (error instanceof ApiRequestError && error.isUnknownField) {
      context.logger.warn('the API has no startTwitchLink yet: registered the guild only');
      return { reply: { content: messages.link.unavailable }, authorizeUrl: null };
    }
    throw error;
  }
  if (started.__typename === 'TwitchLinkStarted') {
    const lines = [messages.link.started(started.expiresAt)];
    if (registerGuild.linked && registerGuild.login) lines.unshift(messages.link.alreadyLinked(registerGuild.login));
    const button = new ButtonBuilder().setStyle(ButtonStyle.Link).setURL(started.authorizeUrl).setLabel(messages.link.button);
    return {
      reply: { content: lines.join('\n\n'), components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)] },
      authorizeUrl: started.authorizeUrl,
    };
  }
  if (started.__typename === 'TwitchNotConfiguredError') return { reply: { content: messages.link.notConfigured }, authorizeUrl: null };
  return { reply: { content: describeFailure(messages, started) }, authorizeUrl: null };
}
