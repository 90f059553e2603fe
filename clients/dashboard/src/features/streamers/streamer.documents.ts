import { graphql } from '../../graphql/graphql';

export const StreamerOverviewQuery = graphql(`
  query DashboardStreamer($id: ID!) {
    streamer(id: $id) {
      id
      login
      displayName
      linked
      guildId
      announceChannelId
      overlayUrl
      twitchStatus { linked scopes lastValidatedAt unlinkedReason }
      editors { twitchUserId login addedAt }
    }
  }
`);

export const RotateOverlayKey = graphql(`
  mutation DashboardRotateOverlayKey($streamerId: ID!) {
    rotateOverlayKey(streamerId: $streamerId) {
      __typename
      ... on Streamer { id overlayUrl }
      ... on Error { message }
    }
  }
`);

export const AddEditor = graphql(`
  mutation DashboardAddEditor($streamerId: ID!, $login: String!) {
    addEditor(streamerId: $streamerId, login: $login) {
      __typename
      ... on Streamer { id editors { twitchUserId login addedAt } }
      ... on ValidationError { problems { path message } }
      ... on Error { message }
    }
  }
`);

export const RemoveEditor = graphql(`
  mutation DashboardRemoveEditor($streamerId: ID!, $twitchUserId: String!) {
    removeEditor(streamerId: $streamerId, twitchUserId: $twitchUserId) {
      __typename
      ... on Streamer { id editors { twitchUserId login addedAt } }
      ... on Error { message }
    }
  }
`);
