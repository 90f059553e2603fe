import { escapeMarkdown, type APIEmbed } from 'discord.js';
import { AnnouncedRoundFields } from '../graphql/fragments';
import type { ResultOf } from '../graphql/graphql';
import { formatPercent, type Messages } from '../i18n';

export type AnnouncedRound = ResultOf<typeof AnnouncedRoundFields>;

export const WINNER_COLOR = 0xf5b400;

/**
 * The announcement of one win: winner, prize, the prize's odds, round number and eligible count;
 * the title and a field link to the round's public verify page. With a claim window, a claim
 * field: how to claim and until when (a Discord timestamp) while PENDING, then claimed or
 * expired (the message is edited to that, see claim-updates.ts).
 */
export function buildWinnerEmbed(
  round: Pick<AnnouncedRound, 'id' | 'number' | 'at' | 'odds' | 'eligibleCount' | 'item' | 'winner' | 'verifyUrl'> & Partial<Pick<AnnouncedRound, 'claim'>>,
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
      ...(round.claim ? [{ name: messages.announce.claim, value: claimLine(round.claim, messages) }] : []),
    ],
    footer: { text: messages.announce.footer(round.id) },
    timestamp: new Date(round.at).toISOString(),
  };
}

/** The claim field's text: how to claim until the deadline, or how the claim ended. */
export function claimLine(claim: NonNullable<AnnouncedRound['claim']>, messages: Messages): string {
  if (claim.status === 'CLAIMED') return messages.announce.claimed;
  if (claim.status === 'EXPIRED') return messages.announce.claimExpired;
  return messages.announce.claimPending(Math.floor(new Date(claim.deadline).getTime() / 1000));
}
