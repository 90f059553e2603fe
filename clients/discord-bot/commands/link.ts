import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { messagesFor } from '../i18n';
import { startLink } from '../support/link-flow';
import { localized } from '../support/localized';
import type { Command } from './index';

/** `/link` (`/iniciar`): registers the guild and answers with a one-time Twitch authorize link. */
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
    });
    await interaction.editReply(reply);
  },
} satisfies Command;
