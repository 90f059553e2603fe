/** The public page that verifies a round in the viewer's browser: `PUBLIC_URL/verify/<roundId>`. */
export function verifyUrl(publicUrl: string, roundId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(roundId)}`;
}

/** The verify links of this server (its PUBLIC_URL is known only once it listens). */
export interface VerifyLinks {
  roundUrl(roundId: string | number): string;
}

export function createVerifyLinks(publicUrl: () => string): VerifyLinks {
  return { roundUrl: (roundId) => verifyUrl(publicUrl(), String(roundId)) };
}

/** Where the page (and anyone else) reads a round's proof bundle (FAIRNESS.md), relative to the origin. */
export function proofPath(roundId: string): string {
  return `/rounds/${encodeURIComponent(roundId)}/proof.json`;
}
