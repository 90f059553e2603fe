import { graphql } from './graphql';

export const ItemFields = graphql(`
  fragment ItemFields on Item {
    id
    name
    weight
    stock
    remaining
  }
`);

export const RaffleFields = graphql(`
  fragment RaffleFields on Raffle {
    id
    status
    intervalSeconds
    drawChance
    startedAt
    endedAt
    endReason
  }
`);

export const RoundFields = graphql(`
  fragment RoundFields on Round {
    id
    number
    at
    outcome
    eligibleCount
    odds
    item { id name weight }
    winner { userId login displayName }
  }
`);

/** What an announcement needs: the win, whether it was posted already, and where to post it. */
export const AnnouncedRoundFields = graphql(
  `
  fragment AnnouncedRoundFields on Round {
    ...RoundFields
    discordAnnouncedAt
    verifyUrl
    claim { status deadline }
    raffle { id streamer { id guildId announceChannelId } }
  }
`,
  [RoundFields],
);

/** Expected failures: every result union member implementing Error. */
export const ErrorFields = graphql(`
  fragment ErrorFields on Error {
    __typename
    message
    ... on ValidationError { problems { path message } }
  }
`);
