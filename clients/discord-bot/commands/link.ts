import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { messagesFor } from '../i18n';
import { startLink } from '../support/link-flow';
import { localized } from '../support/localized';
import type { Command } from './index';

/** `/link` (`/iniciar`): registers the guild and answers with a one-time link to the server's start page, which names this server and sends the streamer on to Twitch. */
export default {
  data: localized(new SlashCommandBuilder(), 'link', 'iniciar', (m) => m.commands.link.description)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  manageGuild: true,
  async execute(interaction, context) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const reply = await startLink(context, messagesFor(interaction.locale), {
      guildId: interaction.guildId!,
      discordUserId: interaction.user.id,
      guildName: interaction.guild?.name ?? null,
    });
    await interaction.editReply(reply);
  },
} satisfies Command;
