import { ErrorFields, ItemFields, RaffleFields } from './fragments';
import { graphql } from './graphql';

export const StreamerByGuild = graphql(
  `
  query StreamerByGuild($guildId: String!) {
    streamerByGuild(guildId: $guildId) {
      id
      guildId
      linked
      login
      displayName
      announceChannelId
      items { ...ItemFields }
      activeRaffle { ...RaffleFields roundCount nextRoundAt }
    }
  }
`,
  [ItemFields, RaffleFields],
);

export const RegisterGuild = graphql(
  `
  mutation RegisterGuild($guildId: String!) {
    registerGuild(guildId: $guildId) {
      __typename
      ... on Streamer { id guildId linked login displayName }
      ...ErrorFields
    }
  }
`,
  [ErrorFields],
);

export const StartTwitchLink = graphql(
  `
  mutation StartTwitchLink($guildId: String!, $discordUserId: String, $guildName: String) {
    startTwitchLink(guildId: $guildId, discordUserId: $discordUserId, guildName: $guildName) {
      __typename
      ... on TwitchLinkStarted { authorizeUrl expiresAt }
      ...ErrorFields
    }
  }
`,
  [ErrorFields],
);

export const SetAnnounceChannel = graphql(
  `
  mutation SetAnnounceChannel($streamerId: ID!, $channelId: String) {
    setAnnounceChannel(streamerId: $streamerId, channelId: $channelId) {
      __typename
      ... on Streamer { id guildId announceChannelId }
      ...ErrorFields
    }
  }
`,
  [ErrorFields],
);

/** Apart from the other queries: `/raffle status` gives it a shorter timeout and does without it. */
export const LiveChatters = graphql(`
  query LiveChatters($streamerId: ID!) {
    liveChatters(streamerId: $streamerId) {
      __typename
      ... on LiveChatters { count }
    }
  }
`);
