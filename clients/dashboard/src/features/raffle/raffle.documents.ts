import { graphql } from '../../graphql/graphql';

export const LiveRoundFields = graphql(`
  fragment DashboardLiveRound on Round {
    id number at outcome eligibleCount
    item { id name }
    winner { userId login displayName }
  }
`);

export const RaffleFields = graphql(`
  fragment DashboardRaffle on Raffle { id status intervalSeconds drawChance startedAt endedAt endReason nextRoundAt roundCount }
`);

export const RafflePanelQuery = graphql(
  `
  query DashboardRafflePanel($streamerId: ID!) {
    streamer(id: $streamerId) {
      id
      activeRaffle { ...DashboardRaffle }
      latestRound { id }
    }
  }
`,
  [RaffleFields],
);

export const LiveChattersQuery = graphql(`
  query DashboardLiveChatters($streamerId: ID!) {
    liveChatters(streamerId: $streamerId, sampleSize: 1) {
      __typename
      ... on LiveChatters { count total }
      ... on Error { message }
    }
  }
`);

export const StartRaffle = graphql(
  `
  mutation DashboardStartRaffle($input: StartRaffleInput!) {
    startRaffle(input: $input) {
      __typename
      ... on Raffle { ...DashboardRaffle }
      ... on ValidationError { problems { path message } }
      ... on Error { message }
    }
  }
`,
  [RaffleFields],
);

export const StopRaffle = graphql(
  `
  mutation DashboardStopRaffle($raffleId: ID!) {
    stopRaffle(raffleId: $raffleId) {
      __typename
      ... on Raffle { ...DashboardRaffle }
      ... on Error { message }
    }
  }
`,
  [RaffleFields],
);

export const DrawRound = graphql(
  `
  mutation DashboardDrawRound($raffleId: ID!) {
    drawRound(raffleId: $raffleId) {
      __typename
      ... on Round { ...DashboardLiveRound }
      ... on Error { message }
    }
  }
`,
  [LiveRoundFields],
);

/** Sent only when schemaFeatures.rerollRound (the mutation lands with the entry issue). */
export const RerollRound = graphql(`
  mutation DashboardRerollRound($roundId: ID!) {
    rerollRound(roundId: $roundId) {
      __typename
      ... on Error { message }
    }
  }
`);

/**
 * Live raffle events. graphql-ws sends the same payload object again on every reconnect, so the
 * hook gives it an `afterRoundId` getter: a resumed subscription replays what was missed.
 */
export const RaffleEventsSubscription = graphql(
  `
  subscription DashboardRaffleEvents($streamerId: ID!, $afterRoundId: ID) {
    raffleEvents(streamerId: $streamerId, afterRoundId: $afterRoundId) {
      kind
      raffle { ...DashboardRaffle }
      round { ...DashboardLiveRound }
    }
  }
`,
  [RaffleFields, LiveRoundFields],
);
