import { bytesToHex, hexToBytes, hmacSha256, isHex, sha256Hex } from './bytes';
import { randomBytes } from '@noble/hashes/utils.js';

/*
 * Sealed mode (FAIRNESS.md v1): the server draws a 32-byte serverSeed when the raffle starts,
 * publishes sealHash = hex(SHA-256(serverSeed)) and reveals the seed when the raffle ends.
 * It proves the draw was not changed afterwards; it cannot prove the inputs were not chosen.
 */

export const SERVER_SEED_BYTES = 32;

/** A fresh serverSeed, hex (from the platform's CSPRNG: crypto.getRandomValues). */
export function newServerSeed(): string {
  return bytesToHex(randomBytes(SERVER_SEED_BYTES));
}

/** hex(SHA-256(serverSeed bytes)). */
export function sealHash(serverSeedHex: string): string {
  return sha256Hex(seedBytes(serverSeedHex));
}

/** R = HMAC-SHA256(key = serverSeed, message = "round:" + roundNumber), the round's 32 random bytes. */
export function sealedRoundRandomness(serverSeedHex: string, roundNumber: number): Uint8Array {
  return hmacSha256(seedBytes(serverSeedHex), `round:${roundNumber}`);
}

function seedBytes(serverSeedHex: string): Uint8Array {
  if (!isHex(serverSeedHex, SERVER_SEED_BYTES)) throw new Error('serverSeed must be 32 bytes of lower-case hex');
  return hexToBytes(serverSeedHex);
}
