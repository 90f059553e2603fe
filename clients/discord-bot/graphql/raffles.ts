import { ErrorFields, RaffleFields, RoundFields } from './fragments';
import { graphql } from './graphql';

export const StartRaffle = graphql(
  `
  mutation StartRaffle($input: StartRaffleInput!) {
    startRaffle(input: $input) {
      __typename
      ... on Raffle { ...RaffleFields nextRoundAt }
      ... on RaffleAlreadyRunningError { raffleId }
      ...ErrorFields
    }
  }
`,
  [RaffleFields, ErrorFields],
);

export const StopRaffle = graphql(
  `
  mutation StopRaffle($raffleId: ID!) {
    stopRaffle(raffleId: $raffleId) {
      __typename
      ... on Raffle { ...RaffleFields roundCount }
      ...ErrorFields
    }
  }
`,
  [RaffleFields, ErrorFields],
);

export const DrawRound = graphql(
  `
  mutation DrawRound($raffleId: ID!) {
    drawRound(raffleId: $raffleId) {
      __typename
      ... on Round { ...RoundFields }
      ...ErrorFields
    }
  }
`,
  [RoundFields, ErrorFields],
);

/** Draws again for a winning round (its copy back, its winner excluded). */
export const RerollRound = graphql(
  `
  mutation RerollRound($roundId: ID!) {
    rerollRound(roundId: $roundId) {
      __typename
      ... on Round { ...RoundFields rerollOf { id number } }
      ...ErrorFields
    }
  }
`,
  [RoundFields, ErrorFields],
);

/** The winning rounds of the streamer's latest raffle, to pick the one `/raffle reroll` means. */
export const RerollTargets = graphql(
  `
  query RerollTargets($streamerId: ID!) {
    streamer(id: $streamerId) {
      id
      raffles(first: 1) { edges { node { id winners { id number rerolledBy { id } } } } }
    }
  }
`,
);

/** The last round of the running raffle: its eligible count stands in when liveChatters has no count. */
export const LastRound = graphql(
  `
  query LastRound($raffleId: ID!) {
    raffle(id: $raffleId) {
      id
      rounds(last: 1) { edges { node { ...RoundFields } } }
    }
  }
`,
  [RoundFields],
);

/** A page of raffles, newest first; `after`/`first` go forward, `before`/`last` back. */
export const RaffleHistory = graphql(
  `
  query RaffleHistory($streamerId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    streamer(id: $streamerId) {
      id
      raffles(first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges {
          node {
            ...RaffleFields
            roundCount
            winners { ...RoundFields }
          }
        }
      }
    }
  }
`,
  [RaffleFields, RoundFields],
);
