import { graphql } from '../../graphql/graphql';

export const RafflesPage = graphql(`
  query DashboardRaffles($streamerId: ID!, $first: Int, $after: String) {
    streamer(id: $streamerId) {
      id
      raffles(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { id status startedAt endedAt endReason roundCount } }
      }
    }
  }
`);

export const HistoryRoundFields = graphql(`
  fragment DashboardHistoryRound on Round {
    id number at outcome eligibleCount
    item { id name }
    winner { login displayName }
  }
`);

export const RoundsPage = graphql(
  `
  query DashboardRounds($raffleId: ID!, $first: Int, $after: String) {
    raffle(id: $raffleId) {
      id
      roundCount
      rounds(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { ...DashboardHistoryRound } }
      }
    }
  }
`,
  [HistoryRoundFields],
);

/** Sent only when schemaFeatures.roundsOutcomeFilter (`Raffle.rounds(outcome:)`). */
export const RoundsPageByOutcome = graphql(
  `
  query DashboardRoundsByOutcome($raffleId: ID!, $first: Int, $after: String, $outcome: RoundOutcome) {
    raffle(id: $raffleId) {
      id
      roundCount
      rounds(first: $first, after: $after, outcome: $outcome) {
        pageInfo { hasNextPage endCursor }
        edges { node { ...DashboardHistoryRound } }
      }
    }
  }
`,
  [HistoryRoundFields],
);
