import { MessageFlags, type InteractionEditReplyOptions, type RepliableInteraction } from 'discord.js';

export type Reply = Pick<InteractionEditReplyOptions, 'content' | 'embeds' | 'components'>;

/**
 * An error the user must see only for themselves. An ephemeral deferred reply is edited; a
 * public one cannot become ephemeral, so it is deleted and the error follows up ephemerally; a
 * button answered with deferUpdate (ephemeral still null) gets an ephemeral follow-up.
 */
export async function respondEphemeralError(interaction: RepliableInteraction, content: string): Promise<void> {
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  } else if (interaction.ephemeral === true) {
    await interaction.editReply({ content, embeds: [], components: [] });
  } else {
    if (interaction.ephemeral === false) await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  }
}
