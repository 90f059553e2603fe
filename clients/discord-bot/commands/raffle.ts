import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  InteractionContextType,
  Locale,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  channelMention,
  escapeMarkdown,
  type APIEmbed,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { ApiRequestError } from '../graphql/api-client';
import type { ResultOf } from '../graphql/graphql';
import { DrawRound, LastRound, RaffleHistory, StartRaffle, StopRaffle } from '../graphql/raffles';
import { LiveChatters, SetAnnounceChannel } from '../graphql/streamers';
import { formatDuration, formatPercent, localizations, messagesFor, type Messages } from '../i18n';
import { describeFailure, isErrorResult } from '../support/results';
import { requireStreamer, type GuildStreamer } from '../support/streamer';
import { customId, type BotContext, type Command } from './index';

const pt = Locale.PortugueseBR;
const text = (pick: (m: Messages) => string) => localizations(pick);
const d = {
  command: text((m) => m.commands.raffle.description),
  start: text((m) => m.commands.raffle.start),
  interval: text((m) => m.commands.raffle.startInterval),
  chance: text((m) => m.commands.raffle.startChance),
  stop: text((m) => m.commands.raffle.stop),
  draw: text((m) => m.commands.raffle.draw),
  status: text((m) => m.commands.raffle.status),
  history: text((m) => m.commands.raffle.history),
  channel: text((m) => m.commands.raffle.channel),
  channelOption: text((m) => m.commands.raffle.channelChannel),
};

/** Raffles per history page. */
export const HISTORY_PAGE_SIZE = 5;
/** Winners listed per raffle on a history page. */
const WINNERS_PER_RAFFLE = 10;
const ANNOUNCE_PERMISSIONS = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks];

/** `/raffle start|stop|draw|status|history|channel` (`/sorteio iniciar|parar|sortear|status|historico|canal`). */
export default {
  data: new SlashCommandBuilder()
    .setName('raffle')
    .setNameLocalizations({ [pt]: 'sorteio' })
    .setDescription(d.command.en)
    .setDescriptionLocalizations({ [pt]: d.command['pt-BR'] })
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) =>
      sub
        .setName('start')
        .setNameLocalizations({ [pt]: 'iniciar' })
        .setDescription(d.start.en)
        .setDescriptionLocalizations({ [pt]: d.start['pt-BR'] })
        .addIntegerOption((option) =>
          option
            .setName('interval')
            .setNameLocalizations({ [pt]: 'intervalo' })
            .setDescription(d.interval.en)
            .setDescriptionLocalizations({ [pt]: d.interval['pt-BR'] })
            .setRequired(true)
            .setMinValue(1)
            .setMaxValue(86_400),
        )
        .addIntegerOption((option) =>
          option
            .setName('chance')
            .setNameLocalizations({ [pt]: 'chance' })
            .setDescription(d.chance.en)
            .setDescriptionLocalizations({ [pt]: d.chance['pt-BR'] })
            .setMinValue(1)
            .setMaxValue(100),
        ),
    )
    .addSubcommand((sub) =>
      sub.setName('stop').setNameLocalizations({ [pt]: 'parar' }).setDescription(d.stop.en).setDescriptionLocalizations({ [pt]: d.stop['pt-BR'] }),
    )
    .addSubcommand((sub) =>
      sub.setName('draw').setNameLocalizations({ [pt]: 'sortear' }).setDescription(d.draw.en).setDescriptionLocalizations({ [pt]: d.draw['pt-BR'] }),
    )
    .addSubcommand((sub) =>
      sub
        .setName('status')
        .setNameLocalizations({ [pt]: 'status' })
        .setDescription(d.status.en)
        .setDescriptionLocalizations({ [pt]: d.status['pt-BR'] }),
    )
    .addSubcommand((sub) =>
      sub
        .setName('history')
        .setNameLocalizations({ [pt]: 'historico' })
        .setDescription(d.history.en)
        .setDescriptionLocalizations({ [pt]: d.history['pt-BR'] }),
    )
    .addSubcommand((sub) =>
      sub
        .setName('channel')
        .setNameLocalizations({ [pt]: 'canal' })
        .setDescription(d.channel.en)
        .setDescriptionLocalizations({ [pt]: d.channel['pt-BR'] })
        .addChannelOption((option) =>
          option
            .setName('channel')
            .setNameLocalizations({ [pt]: 'canal' })
            .setDescription(d.channelOption.en)
            .setDescriptionLocalizations({ [pt]: d.channelOption['pt-BR'] })
            .setRequired(true)
            .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
        ),
    )
    .toJSON(),
  manageGuild: ['start', 'stop', 'draw', 'channel'],

  async execute(interaction, context) {
    const subcommand = interaction.options.getSubcommand();
    const everyone = subcommand === 'status' || subcommand === 'history';
    await interaction.deferReply(everyone ? {} : { flags: MessageFlags.Ephemeral });
    const streamer = await requireStreamer(interaction, context);
    if (!streamer) return;
    const messages = messagesFor(interaction.locale);
    switch (subcommand) {
      case 'start':
        return start(interaction, context, messages, streamer);
      case 'stop':
        return stop(interaction, context, messages, streamer);
      case 'draw':
        return draw(interaction, context, messages, streamer);
      case 'status':
        return status(interaction, context, messages, streamer);
      case 'history':
        await interaction.editReply(await historyPage(context, messages, streamer.id, {}));
        return;
      case 'channel':
        return channel(interaction, context, messages, streamer);
    }
  },

  /** History pages: `raffle:history:next:<cursor>` / `raffle:history:prev:<cursor>`. */
  async button(interaction, context) {
    const [, , direction, cursor] = interaction.customId.split(':');
    if (!cursor || (direction !== 'next' && direction !== 'prev')) return;
    await interaction.deferUpdate();
    const streamer = await requireStreamer(interaction, context);
    if (!streamer) return;
    const page = direction === 'next' ? { after: cursor } : { before: cursor };
    await interaction.editReply(await historyPage(context, messagesFor(interaction.locale), streamer.id, page));
  },
} satisfies Command;

async function start(interaction: ChatInputCommandInteraction, context: BotContext, messages: Messages, streamer: GuildStreamer) {
  const intervalSeconds = interaction.options.getInteger('interval', true);
  const chance = interaction.options.getInteger('chance') ?? 100;
  const { startRaffle: result } = await context.api.request(StartRaffle, {
    input: { streamerId: streamer.id, intervalSeconds, drawChance: chance / 100 },
  });
  if (isErrorResult(result)) {
    await interaction.editReply(describeFailure(messages, result));
    return;
  }
  await interaction.editReply(
    messages.raffle.started(formatDuration(messages, result.intervalSeconds), formatPercent(messages, result.drawChance), result.nextRoundAt),
  );
}

async function stop(interaction: ChatInputCommandInteraction, context: BotContext, messages: Messages, streamer: GuildStreamer) {
  if (!streamer.activeRaffle) {
    await interaction.editReply(messages.raffle.noActive);
    return;
  }
  const { stopRaffle: result } = await context.api.request(StopRaffle, { raffleId: streamer.activeRaffle.id });
  await interaction.editReply(isErrorResult(result) ? describeFailure(messages, result) : messages.raffle.stopped(result.roundCount));
}

async function draw(interaction: ChatInputCommandInteraction, context: BotContext, messages: Messages, streamer: GuildStreamer) {
  if (!streamer.activeRaffle) {
    await interaction.editReply(messages.raffle.noActive);
    return;
  }
  const { drawRound: round } = await context.api.request(DrawRound, { raffleId: streamer.activeRaffle.id });
  if (isErrorResult(round)) {
    await interaction.editReply(describeFailure(messages, round));
    return;
  }
  const outcome = {
    WINNER: () =>
      messages.raffle.drawWinner(escapeMarkdown(round.winner?.displayName ?? round.winner?.login ?? '?'), escapeMarkdown(round.item?.name ?? '?')),
    SKIPPED: () => messages.raffle.drawSkipped,
    NO_ELIGIBLE_CHATTERS: () => messages.raffle.drawNoEligible,
    NO_ITEMS: () => messages.raffle.drawNoItems,
  }[round.outcome];
  await interaction.editReply(outcome());
}

async function status(interaction: ChatInputCommandInteraction, context: BotContext, messages: Messages, streamer: GuildStreamer) {
  const raffle = streamer.activeRaffle;
  if (!raffle) {
    await interaction.editReply(messages.raffle.statusIdle);
    return;
  }
  const prizes = streamer.items.filter((item) => item.remaining > 0);
  const eligible = await eligibleCount(context, messages, streamer.id, raffle.id);
  const embed: APIEmbed = {
    title: messages.raffle.statusTitle,
    color: 0x9146ff,
    fields: [
      { name: messages.raffle.fieldInterval, value: formatDuration(messages, raffle.intervalSeconds), inline: true },
      { name: messages.raffle.fieldChance, value: formatPercent(messages, raffle.drawChance), inline: true },
      { name: messages.raffle.fieldRounds, value: String(raffle.roundCount), inline: true },
      { name: messages.raffle.fieldStarted, value: `<t:${unix(raffle.startedAt)}:R>`, inline: true },
      { name: messages.raffle.fieldNext, value: raffle.nextRoundAt ? `<t:${unix(raffle.nextRoundAt)}:R>` : '—', inline: true },
      { name: messages.raffle.fieldEligible, value: eligible, inline: true },
      {
        name: messages.raffle.fieldPrizes,
        value: truncate(prizes.map((item) => messages.raffle.prizeLine(escapeMarkdown(item.name), item.remaining)).join('\n') || messages.raffle.noPrizes, 1024),
      },
    ],
  };
  await interaction.editReply({ embeds: [embed] });
}

/**
 * How many chatters could win now: `liveChatters` when the server has it; else the last round's
 * eligible count; else unknown. A server without `liveChatters` does not fail the status.
 */
async function eligibleCount(context: BotContext, messages: Messages, streamerId: string, raffleId: string): Promise<string> {
  try {
    const { liveChatters } = await context.api.withTimeout(2_500).request(LiveChatters, { streamerId });
    if (liveChatters.__typename === 'LiveChatters') return String(liveChatters.count);
  } catch (error) {
    if (!(error instanceof ApiRequestError && error.isUnknownField)) context.logger.warn({ err: String(error) }, 'liveChatters failed');
  }
  try {
    const { raffle } = await context.api.request(LastRound, { raffleId });
    const last = raffle?.rounds.edges.at(-1)?.node;
    if (last) return messages.raffle.eligibleFromLastRound(last.eligibleCount);
  } catch (error) {
    context.logger.warn({ err: String(error) }, 'last round lookup failed');
  }
  return messages.raffle.unknown;
}

async function channel(interaction: ChatInputCommandInteraction, context: BotContext, messages: Messages, streamer: GuildStreamer) {
  const target = interaction.options.getChannel('channel', true, [ChannelType.GuildText, ChannelType.GuildAnnouncement]);
  const me = interaction.guild?.members.me;
  const cached = interaction.guild?.channels.cache.get(target.id);
  if (me && cached && !cached.permissionsFor(me).has(ANNOUNCE_PERMISSIONS)) {
    await interaction.editReply(messages.raffle.channelNoAccess(channelMention(target.id)));
    return;
  }
  const { setAnnounceChannel: result } = await context.api.request(SetAnnounceChannel, { streamerId: streamer.id, channelId: target.id });
  await interaction.editReply(isErrorResult(result) ? describeFailure(messages, result) : messages.raffle.channelSet(channelMention(target.id)));
}

type HistoryRaffle = NonNullable<ResultOf<typeof RaffleHistory>['streamer']>['raffles']['edges'][number]['node'];

/** One page of raffles (newest first) with Newer/Older buttons carrying the relay cursors. */
export async function historyPage(
  context: BotContext,
  messages: Messages,
  streamerId: string,
  page: { after?: string; before?: string },
) {
  const variables = page.before
    ? { streamerId, last: HISTORY_PAGE_SIZE, before: page.before }
    : { streamerId, first: HISTORY_PAGE_SIZE, after: page.after ?? null };
  const { streamer } = await context.api.request(RaffleHistory, variables);
  const connection = streamer?.raffles;
  const raffles = connection?.edges.map((edge) => edge.node) ?? [];
  const embed: APIEmbed = {
    title: messages.raffle.historyTitle,
    color: 0x9146ff,
    description: raffles.length ? truncate(raffles.map((raffle) => describeRaffle(messages, raffle)).join('\n\n'), 4000) : messages.raffle.historyEmpty,
  };
  const info = connection?.pageInfo;
  const hasNewer = Boolean(info?.hasPreviousPage || page.after);
  const hasOlder = Boolean(info?.hasNextPage || page.before);
  const buttons: ButtonBuilder[] = [];
  if (info?.startCursor && hasNewer) {
    buttons.push(new ButtonBuilder().setCustomId(customId('raffle', 'history', 'prev', info.startCursor)).setLabel(messages.raffle.previous).setStyle(ButtonStyle.Secondary));
  }
  if (info?.endCursor && hasOlder) {
    buttons.push(new ButtonBuilder().setCustomId(customId('raffle', 'history', 'next', info.endCursor)).setLabel(messages.raffle.next).setStyle(ButtonStyle.Secondary));
  }
  return { embeds: [embed], components: buttons.length ? [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)] : [] };
}

function describeRaffle(messages: Messages, raffle: HistoryRaffle): string {
  const header = messages.raffle.historyRaffle(raffle.startedAt, messages.raffle.status[raffle.status] ?? raffle.status, raffle.roundCount);
  const winners = raffle.winners
    .slice(0, WINNERS_PER_RAFFLE)
    .map((round) =>
      messages.raffle.historyWinner(round.number, escapeMarkdown(round.winner?.displayName ?? round.winner?.login ?? '?'), escapeMarkdown(round.item?.name ?? '?')),
    );
  if (raffle.winners.length > WINNERS_PER_RAFFLE) winners.push(messages.raffle.historyMore(raffle.winners.length - WINNERS_PER_RAFFLE));
  return [`**${header}**`, ...(winners.length ? winners : [messages.raffle.historyNoWinners])].join('\n');
}

function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
