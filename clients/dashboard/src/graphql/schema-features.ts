/* Generated from schema/schema.graphql by generate-env.ts: do not edit. */
/** Which separately landing server pieces the schema has: their panels show only when true. */
export const schemaFeatures = {
  /** Raffle.rounds(outcome) */
  roundsOutcomeFilter: true,
  /** Mutation.rerollRound */
  rerollRound: true,
  /** Streamer.overlaySettings */
  overlaySettings: true,
  /** Mutation.updateOverlaySettings */
  updateOverlaySettings: true,
  /** Mutation.sendOverlayTestWin */
  sendOverlayTestWin: true,
} as const;
