import { escapeMarkdown, type APIEmbed } from 'discord.js';
import { AnnouncedRoundFields } from '../graphql/fragments';
import type { ResultOf } from '../graphql/graphql';
import { formatPercent, type Messages } from '../i18n';

export type AnnouncedRound = ResultOf<typeof AnnouncedRoundFields>;

export const WINNER_COLOR = 0xf5b400;

/**
 * The announcement of one win: winner, prize, the prize's odds, round number and eligible count;
 * the title and a field link to the round's public verify page.
 */
export function buildWinnerEmbed(
  round: Pick<AnnouncedRound, 'id' | 'number' | 'at' | 'odds' | 'eligibleCount' | 'item' | 'winner' | 'verifyUrl'>,
  messages: Messages,
): APIEmbed {
  const winner = round.winner?.displayName || round.winner?.login || '?';
  const prize = round.item?.name ?? '?';
  return {
    title: messages.announce.title,
    description: messages.announce.description(escapeMarkdown(winner), escapeMarkdown(prize)),
    url: round.verifyUrl,
    color: WINNER_COLOR,
    fields: [
      { name: messages.announce.odds, value: round.odds === null ? '—' : formatPercent(messages, round.odds), inline: true },
      { name: messages.announce.round, value: `#${round.number}`, inline: true },
      { name: messages.announce.eligible, value: String(round.eligibleCount), inline: true },
      { name: messages.announce.verify, value: `[${messages.announce.verifyLink}](${round.verifyUrl})` },
    ],
    footer: { text: messages.announce.footer(round.id) },
    timestamp: new Date(round.at).toISOString(),
  };
}
