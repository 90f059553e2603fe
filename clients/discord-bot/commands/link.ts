import { InteractionContextType, Locale, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { localizations, messagesFor } from '../i18n';
import { startLink } from '../support/link-flow';
import type { Command } from './index';

const description = localizations((m) => m.commands.link.description);

/** `/link` (`/iniciar`): registers the guild and answers with a one-time Twitch authorize link. */
export default {
  data: new SlashCommandBuilder()
    .setName('link')
    .setNameLocalizations({ [Locale.PortugueseBR]: 'iniciar' })
    .setDescription(description.en)
    .setDescriptionLocalizations({ [Locale.PortugueseBR]: description['pt-BR'] })
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  manageGuild: true,
  async execute(interaction, context) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const { reply } = await startLink(context, messagesFor(interaction.locale), {
      guildId: interaction.guildId!,
      discordUserId: interaction.user.id,
    });
    await interaction.editReply(reply);
  },
} satisfies Command;
