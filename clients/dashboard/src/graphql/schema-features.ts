/* Generated from schema/schema.graphql by generate-env.ts: do not edit. */
/** Which separately landing server pieces the schema has: their panels show only when true. */
export const schemaFeatures = {
  /** Raffle.rounds(outcome) */
  roundsOutcomeFilter: false,
  /** Mutation.rerollRound */
  rerollRound: false,
  /** Streamer.overlaySettings */
  overlaySettings: false,
  /** Mutation.updateOverlaySettings */
  updateOverlaySettings: false,
  /** Mutation.sendOverlayTestWin */
  sendOverlayTestWin: false,
} as const;
