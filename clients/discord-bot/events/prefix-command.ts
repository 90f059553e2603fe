import { PermissionFlagsBits, type Message } from 'discord.js';
import type { BotContext } from '../commands/index';
import { messagesFor } from '../i18n';
import { startLink } from '../support/link-flow';
import { errorText } from './interaction-create';

/** The seed's habit: `!iniciar` (or `!link`) in a guild channel does what `/link` does. */
export const PREFIX_COMMANDS = new Set(['!iniciar', '!link']);

/**
 * Handles `!iniciar` when DISCORD_PREFIX_COMMANDS is on (needs the MessageContent intent). The
 * authorize link is a capability, so it goes by direct message, never into the channel.
 */
export function createPrefixHandler(context: BotContext) {
  return async function onMessage(message: Message): Promise<void> {
    if (message.author.bot || !message.inGuild()) return;
    if (!PREFIX_COMMANDS.has(message.content.trim().toLowerCase())) return;
    const messages = messagesFor(message.guild.preferredLocale);
    const log = context.logger.child({ message: message.id, route: 'prefix:link' });
    try {
      if (!message.member?.permissions.has(PermissionFlagsBits.ManageGuild)) {
        await message.reply(messages.errors.forbidden);
        return;
      }
      const reply = await startLink(context, messages, { guildId: message.guildId, discordUserId: message.author.id, guildName: message.guild?.name ?? null });
      if (!reply.components?.length) {
        await message.reply({ content: reply.content ?? '' });
        return;
      }
      try {
        await message.author.send({ content: reply.content ?? '', components: reply.components });
        await message.reply(messages.link.dmSent);
      } catch {
        await message.reply(messages.link.dmFailed);
      }
    } catch (error) {
      log.warn({ err: error }, 'prefix command failed');
      await message.reply(errorText(message.guild.preferredLocale, error)).catch(() => undefined);
    }
  };
}
