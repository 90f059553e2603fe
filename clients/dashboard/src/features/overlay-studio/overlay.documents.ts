import { graphql } from '../../graphql/graphql';

/**
 * The overlay studio's documents. `Streamer.overlaySettings`, `updateOverlaySettings` and
 * `sendOverlayTestWin` land with the dashboard's server side: each is sent only when
 * schemaFeatures says the schema has it (until then gql.tada types the missing fields as
 * `unknown`, and overlay-settings.ts narrows them).
 */
export const OverlaySettingsQuery = graphql(`
  query DashboardOverlaySettings($streamerId: ID!) {
    streamer(id: $streamerId) {
      id
      overlayUrl
      overlaySettings { position scale font textColor accentColor backgroundColor language }
    }
  }
`);

export const UpdateOverlaySettings = graphql(`
  mutation DashboardUpdateOverlaySettings($streamerId: ID!, $settings: OverlaySettingsInput!) {
    updateOverlaySettings(streamerId: $streamerId, settings: $settings) {
      __typename
      ... on Streamer { id overlaySettings { position scale font textColor accentColor backgroundColor language } }
      ... on ValidationError { problems { path message } }
      ... on Error { message }
    }
  }
`);

export const SendOverlayTestWin = graphql(`
  mutation DashboardSendOverlayTestWin($streamerId: ID!) {
    sendOverlayTestWin(streamerId: $streamerId)
  }
`);
