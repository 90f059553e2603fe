/** The part of the API's schema that the contract's StreamerByGuild selects, for the API floors. */
export const streamerFloorTypeDefs = /* GraphQL */ `
  type Query {
    streamerByGuild(guildId: String!): Streamer
  }
  type Streamer {
    id: ID!
    twitchUserId: String
    login: String
    displayName: String
    guildId: String!
    announceChannelId: String
    linked: Boolean!
    overlayUrl: String!
    items: [Item!]!
    activeRaffle: Raffle
  }
  type Item {
    id: ID!
    name: String!
    weight: Int!
    stock: Int!
    remaining: Int!
  }
  enum RaffleStatus {
    RUNNING
    STOPPED
    FINISHED
  }
  enum RaffleEndReason {
    ITEMS_EXHAUSTED
    STOPPED
    TWITCH_UNLINKED
  }
  type Raffle {
    id: ID!
    status: RaffleStatus!
    intervalSeconds: Int!
    drawChance: Float!
    startedAt: String!
    endedAt: String
    endReason: RaffleEndReason
  }
`;
