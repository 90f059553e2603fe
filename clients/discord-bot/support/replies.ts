import { MessageFlags, type InteractionEditReplyOptions, type RepliableInteraction } from 'discord.js';

export type Reply = Pick<InteractionEditReplyOptions, 'content' | 'embeds' | 'components'>;

/**
 * Answers whether or not the interaction was deferred: the edit of a deferred reply, else an
 * ephemeral reply. Commands defer first when they call the API, so this rarely replies fresh.
 */
export async function respond(interaction: RepliableInteraction, reply: Reply | string): Promise<void> {
  const options = typeof reply === 'string' ? { content: reply } : reply;
  if (interaction.deferred || interaction.replied) {
    await interaction.editReply(options);
  } else {
    await interaction.reply({ ...options, flags: MessageFlags.Ephemeral } as Parameters<RepliableInteraction['reply']>[0]);
  }
}

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
