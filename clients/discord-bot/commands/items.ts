import {
  InteractionContextType,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  escapeMarkdown,
} from 'discord.js';
import { AddItemsFromText, RemoveItem } from '../graphql/items';
import { StreamerByGuild } from '../graphql/streamers';
import { formatPercent, messagesFor, type Messages } from '../i18n';
import { localized } from '../support/localized';
import { problemLines, describeFailure, isErrorResult } from '../support/results';
import { requireStreamer, type GuildStreamer } from '../support/streamer';
import { customId, type Command } from './index';

export const ADD_MODAL_ID = customId('items', 'add');
export const ADD_INPUT_ID = 'entries';

/** `/items add|list|remove` (`/itens adicionar|listar|remover`). */
export default {
  data: localized(new SlashCommandBuilder(), 'items', 'itens', (m) => m.commands.items.description)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) => localized(sub, 'add', 'adicionar', (m) => m.commands.items.add))
    .addSubcommand((sub) => localized(sub, 'list', 'listar', (m) => m.commands.items.list))
    .addSubcommand((sub) =>
      localized(sub, 'remove', 'remover', (m) => m.commands.items.remove).addStringOption((option) =>
        localized(option, 'item', 'item', (m) => m.commands.items.removeItem).setRequired(true).setAutocomplete(true),
      ),
    )
    .toJSON(),
  manageGuild: ['add', 'remove'],

  async execute(interaction, context) {
    const messages = messagesFor(interaction.locale);
    switch (interaction.options.getSubcommand()) {
      case 'add': {
        // The modal must be the first answer, within 3 s: the guild is checked on submit.
        await interaction.showModal(addModal(messages));
        return;
      }
      case 'list': {
        await interaction.deferReply();
        const streamer = await requireStreamer(interaction, context);
        if (!streamer) return;
        await interaction.editReply({ embeds: [listEmbed(messages, streamer)] });
        return;
      }
      case 'remove': {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const streamer = await requireStreamer(interaction, context);
        if (!streamer) return;
        const query = interaction.options.getString('item', true);
        const item = streamer.items.find((candidate) => candidate.id === query) ?? findByName(streamer.items, query);
        if (!item) {
          await interaction.editReply(messages.items.notFound(escapeMarkdown(query)));
          return;
        }
        const { removeItem } = await context.api.request(RemoveItem, { id: item.id });
        await interaction.editReply(
          isErrorResult(removeItem) ? describeFailure(messages, removeItem) : messages.items.removed(escapeMarkdown(item.name)),
        );
        return;
      }
    }
  },

  async autocomplete(interaction, context) {
    const messages = messagesFor(interaction.locale);
    const typed = interaction.options.getFocused().toLowerCase();
    let choices: { name: string; value: string }[] = [];
    if (interaction.guildId) {
      // Autocomplete has 3 s and no defer: a short timeout, and no choices when the API is slow.
      const { streamerByGuild } = await context.api.withTimeout(2_000).request(StreamerByGuild, { guildId: interaction.guildId });
      choices = (streamerByGuild?.items ?? [])
        .filter((item) => item.name.toLowerCase().includes(typed))
        .slice(0, 25)
        .map((item) => ({ name: truncate(messages.items.choice(item.name, item.weight, item.remaining, item.stock), 100), value: item.id }));
    }
    await interaction.respond(choices);
  },

  async modalSubmit(interaction, context) {
    const messages = messagesFor(interaction.locale);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const streamer = await requireStreamer(interaction, context);
    if (!streamer) return;
    const entries = interaction.fields.getTextInputValue(ADD_INPUT_ID);
    const { addItemsFromText: result } = await context.api.request(AddItemsFromText, { streamerId: streamer.id, text: entries });
    if (result.__typename === 'AddItemsPayload') {
      const lines = result.items.map((item) => `• **${escapeMarkdown(item.name)}** (${item.weight}, ×${item.stock})`);
      await interaction.editReply(truncate([messages.items.added(result.items.length), ...lines].join('\n'), 2000));
      return;
    }
    const content =
      result.__typename === 'ValidationError' && result.problems.length
        ? [messages.items.notAdded, ...problemLines(messages, result.problems)].join('\n')
        : describeFailure(messages, result);
    await interaction.editReply(truncate(content, 2000));
  },
} satisfies Command;

export function addModal(messages: Messages): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(ADD_MODAL_ID)
    .setTitle(messages.items.modalTitle)
    .addLabelComponents(
      new LabelBuilder()
        .setLabel(messages.items.inputLabel)
        .setTextInputComponent(
          new TextInputBuilder()
            .setCustomId(ADD_INPUT_ID)
            .setStyle(TextInputStyle.Paragraph)
            .setPlaceholder(messages.items.inputPlaceholder)
            .setRequired(true)
            .setMaxLength(4000),
        ),
    );
}

export function listEmbed(messages: Messages, streamer: Pick<GuildStreamer, 'items'>) {
  const totalWeight = streamer.items.filter((item) => item.remaining > 0).reduce((sum, item) => sum + item.weight, 0);
  const lines = streamer.items.map((item) =>
    messages.items.line(
      escapeMarkdown(item.name),
      item.weight,
      item.remaining > 0 && totalWeight > 0 ? formatPercent(messages, item.weight / totalWeight) : '—',
      item.remaining,
      item.stock,
    ),
  );
  return {
    title: messages.items.listTitle,
    description: lines.length ? truncate(lines.join('\n'), 4000) : messages.items.empty,
    color: 0x9146ff,
  };
}

function findByName<T extends { name: string }>(items: readonly T[], query: string): T | undefined {
  const wanted = query.trim().toLowerCase();
  return items.find((item) => item.name.toLowerCase() === wanted);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
