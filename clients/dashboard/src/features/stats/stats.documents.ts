import { graphql } from '../../graphql/graphql';

export const RaffleStatsQuery = graphql(`
  query DashboardRaffleStats($raffleId: ID!) {
    raffle(id: $raffleId) {
      id
      startedAt
      stats {
        rounds
        wins
        items { item { id name weight } wins expectedShare observedShare }
      }
      winners { id at }
    }
  }
`);

export const LatestRafflesQuery = graphql(`
  query DashboardLatestRaffles($streamerId: ID!) {
    streamer(id: $streamerId) {
      id
      raffles(first: 20) { edges { node { id status startedAt roundCount } } }
    }
  }
`);
