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
