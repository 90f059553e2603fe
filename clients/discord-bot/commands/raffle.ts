import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  channelMention,
  escapeMarkdown,
  type APIEmbed,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { ResultOf } from '../graphql/graphql';
import { DrawRound, LastRound, RaffleHistory, RerollRound, RerollTargets, StartRaffle, StopRaffle } from '../graphql/raffles';
import { LiveChatters, SetAnnounceChannel } from '../graphql/streamers';
import { formatDuration, formatPercent, messagesFor, type Messages } from '../i18n';
import { localized } from '../support/localized';
import { describeFailure, isErrorResult } from '../support/results';
import { requireStreamer, type GuildStreamer } from '../support/streamer';
import { customId, type BotContext, type Command } from './index';

/** Raffles per history page. */
export const HISTORY_PAGE_SIZE = 5;
/** Winners listed per raffle on a history page. */
const WINNERS_PER_RAFFLE = 10;
const ANNOUNCE_PERMISSIONS = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks];

/** `/raffle start|stop|draw|reroll|status|history|channel` (`/sorteio iniciar|parar|sortear|ressortear|status|historico|canal`). */
export default {
  data: localized(new SlashCommandBuilder(), 'raffle', 'sorteio', (m) => m.commands.raffle.description)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) =>
      localized(sub, 'start', 'iniciar', (m) => m.commands.raffle.start)
        .addIntegerOption((option) =>
          localized(option, 'interval', 'intervalo', (m) => m.commands.raffle.startInterval).setRequired(true).setMinValue(1).setMaxValue(86_400),
        )
        .addIntegerOption((option) => localized(option, 'chance', 'chance', (m) => m.commands.raffle.startChance).setMinValue(1).setMaxValue(100)),
    )
    .addSubcommand((sub) => localized(sub, 'stop', 'parar', (m) => m.commands.raffle.stop))
    .addSubcommand((sub) => localized(sub, 'draw', 'sortear', (m) => m.commands.raffle.draw))
    .addSubcommand((sub) =>
      localized(sub, 'reroll', 'ressortear', (m) => m.commands.raffle.reroll).addIntegerOption((option) =>
        localized(option, 'round', 'rodada', (m) => m.commands.raffle.rerollRound).setMinValue(1),
      ),
    )
    .addSubcommand((sub) => localized(sub, 'status', 'status', (m) => m.commands.raffle.status))
    .addSubcommand((sub) => localized(sub, 'history', 'historico', (m) => m.commands.raffle.history))
    .addSubcommand((sub) =>
      localized(sub, 'channel', 'canal', (m) => m.commands.raffle.channel).addChannelOption((option) =>
        localized(option, 'channel', 'canal', (m) => m.commands.raffle.channelChannel)
          .setRequired(true)
          .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
      ),
    )
    .toJSON(),
  manageGuild: ['start', 'stop', 'draw', 'reroll', 'channel'],

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
      case 'reroll':
        return reroll(interaction, context, messages, streamer);
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
    BEACON_UNAVAILABLE: () => messages.raffle.drawBeaconUnavailable,
  }[round.outcome];
  await interaction.editReply(outcome());
}

/** `/raffle reroll [round]`: the round number in the latest raffle, default its latest win not rerolled yet. */
async function reroll(interaction: ChatInputCommandInteraction, context: BotContext, messages: Messages, streamer: GuildStreamer) {
  const number = interaction.options.getInteger('round');
  const { streamer: found } = await context.api.request(RerollTargets, { streamerId: streamer.id });
  const winners = found?.raffles.edges[0]?.node.winners.filter((round) => !round.rerolledBy) ?? [];
  const target = number === null ? winners.reduce<(typeof winners)[number] | undefined>((last, round) => (!last || round.number > last.number ? round : last), undefined) : winners.find((round) => round.number === number);
  if (!target) {
    await interaction.editReply(number === null ? messages.raffle.rerollNothing : messages.raffle.rerollNotFound(number));
    return;
  }
  const { rerollRound: round } = await context.api.request(RerollRound, { roundId: target.id });
  if (isErrorResult(round)) {
    await interaction.editReply(describeFailure(messages, round));
    return;
  }
  if (round.outcome === 'WINNER') {
    await interaction.editReply(
      messages.raffle.rerolled(target.number, escapeMarkdown(round.winner?.displayName ?? round.winner?.login ?? '?'), escapeMarkdown(round.item?.name ?? '?')),
    );
    return;
  }
  const why = { SKIPPED: messages.raffle.drawSkipped, NO_ELIGIBLE_CHATTERS: messages.raffle.drawNoEligible, NO_ITEMS: messages.raffle.drawNoItems, BEACON_UNAVAILABLE: messages.raffle.drawBeaconUnavailable }[round.outcome];
  await interaction.editReply(messages.raffle.rerolledNoWinner(target.number, why));
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
 * How many chatters could win now: `liveChatters`; when it has no count (Twitch not linked, or
 * the chat could not be read), the last round's eligible count; else unknown.
 */
async function eligibleCount(context: BotContext, messages: Messages, streamerId: string, raffleId: string): Promise<string> {
  try {
    const { liveChatters } = await context.api.withTimeout(2_500).request(LiveChatters, { streamerId });
    if (liveChatters.__typename === 'LiveChatters') return String(liveChatters.count);
  } catch (error) {
    context.logger.warn({ err: String(error) }, 'liveChatters failed');
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
