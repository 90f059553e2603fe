import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import type { BotContext } from '../commands/index';
import { RegisterGuild, StartTwitchLink } from '../graphql/streamers';
import type { Messages } from '../i18n';
import type { Reply } from './replies';
import { describeFailure, isErrorResult } from './results';

/**
 * What `/link` and `!iniciar` do: register the guild's streamer (so the bot can be set up even
 * before Twitch), then ask the server for a single-use link for this user: the server's start
 * page, which names this Discord server (hence its name) before it sends the browser to Twitch.
 */
export async function startLink(
  context: BotContext,
  messages: Messages,
  input: { guildId: string; discordUserId: string; guildName: string | null },
): Promise<Reply> {
  const { registerGuild } = await context.api.request(RegisterGuild, { guildId: input.guildId });
  if (isErrorResult(registerGuild)) return { content: describeFailure(messages, registerGuild) };
  context.announcements.track({ id: registerGuild.id, guildId: input.guildId });

  const { startTwitchLink: started } = await context.api.request(StartTwitchLink, input);
  if (started.__typename === 'TwitchLinkStarted') {
    const lines = [messages.link.started(started.expiresAt)];
    if (registerGuild.linked && registerGuild.login) lines.unshift(messages.link.alreadyLinked(registerGuild.login));
    const button = new ButtonBuilder().setStyle(ButtonStyle.Link).setURL(started.authorizeUrl).setLabel(messages.link.button);
    return { content: lines.join('\n\n'), components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)] };
  }
  if (started.__typename === 'TwitchNotConfiguredError') return { content: messages.link.notConfigured };
  return { content: describeFailure(messages, started) };
}
