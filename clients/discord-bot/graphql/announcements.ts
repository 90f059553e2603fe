import { AnnouncedRoundFields } from './fragments';
import { graphql } from './graphql';

export const WinnerDrawn = graphql(
  `
  subscription WinnerDrawn($streamerId: ID!) {
    winnerDrawn(streamerId: $streamerId) { ...AnnouncedRoundFields }
  }
`,
  [AnnouncedRoundFields],
);

export const WinsSince = graphql(
  `
  query WinsSince($streamerId: ID!, $afterRoundId: ID, $first: Int!) {
    roundsSince(streamerId: $streamerId, afterRoundId: $afterRoundId, onlyWinners: true, first: $first) {
      ...AnnouncedRoundFields
    }
  }
`,
  [AnnouncedRoundFields],
);

export const MarkRoundsAnnounced = graphql(`
  mutation MarkRoundsAnnounced($roundIds: [ID!]!) {
    markRoundsAnnouncedInDiscord(roundIds: $roundIds) { id discordAnnouncedAt }
  }
`);

/** The streamer's raffle events; the announcer acts on CLAIM (a win's claim became CLAIMED or EXPIRED). */
export const ClaimEvents = graphql(
  `
  subscription ClaimEvents($streamerId: ID!) {
    raffleEvents(streamerId: $streamerId) { kind round { ...AnnouncedRoundFields } }
  }
`,
  [AnnouncedRoundFields],
);

/** One win as it is now (a watched claim whose deadline passed without a CLAIM event seen). */
export const AnnouncedRound = graphql(
  `
  query AnnouncedRound($id: ID!) {
    round(id: $id) { ...AnnouncedRoundFields }
  }
`,
  [AnnouncedRoundFields],
);
