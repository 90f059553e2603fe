import { graphql } from '../../graphql/graphql';

/**
 * The overlay studio's documents. Each is sent only when schemaFeatures says the schema has its
 * piece (`Streamer.overlaySettings`, `updateOverlaySettings`, `sendOverlayTestWin`).
 */
export const OverlaySettingsFields = graphql(`
  fragment DashboardOverlaySettings on OverlaySettings { position scale font textColor accentColor backgroundColor language }
`);

export const OverlaySettingsQuery = graphql(
  `
  query DashboardOverlaySettings($streamerId: ID!) {
    overlayFonts
    streamer(id: $streamerId) {
      id
      overlayUrl
      overlaySettings { ...DashboardOverlaySettings }
    }
  }
`,
  [OverlaySettingsFields],
);

export const UpdateOverlaySettings = graphql(
  `
  mutation DashboardUpdateOverlaySettings($streamerId: ID!, $settings: OverlaySettingsInput!) {
    updateOverlaySettings(streamerId: $streamerId, settings: $settings) {
      __typename
      ... on Streamer { id overlaySettings { ...DashboardOverlaySettings } }
      ... on ValidationError { problems { path message } }
      ... on Error { message }
    }
  }
`,
  [OverlaySettingsFields],
);

/** Goes to the overlay pages only: not stored, not announced, not a round. */
export const SendOverlayTestWin = graphql(`
  mutation DashboardSendOverlayTestWin($streamerId: ID!) {
    sendOverlayTestWin(streamerId: $streamerId) {
      __typename
      ... on OverlayTestWinSent { at }
      ... on Error { message }
    }
  }
`);
