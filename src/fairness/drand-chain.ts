import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes, isHex, uint64BigEndian, utf8ToBytes } from './bytes';
import { QUICKNET_INFO } from './quicknet';

/*
 * drand chains of the scheme `bls-unchained-g1-rfc9380` (quicknet): signatures on G1 over
 * sha256(uint64_be(round)), public key on G2, randomness = sha256(signature). Browser-safe.
 */

export const QUICKNET_SCHEME = QUICKNET_INFO.schemeId;
/** The hash-to-curve domain of G1 signatures (RFC 9380 suite, basic scheme). */
export const QUICKNET_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

/** What a verifier pins: the chain's info as `/{chainHash}/info` gives it. */
export interface ChainInfo {
  hash: string;
  publicKey: string;
  /** Unix seconds of round 1. */
  genesisTime: number;
  /** Seconds between rounds. */
  period: number;
  groupHash: string;
  schemeId: string;
  beaconId: string;
}

/** League of Entropy quicknet (https://api.drand.sh/52db…e971/info). */
export const QUICKNET: ChainInfo = { ...QUICKNET_INFO };

export interface Beacon {
  round: number;
  randomness: string;
  signature: string;
}

/**
 * drand's chain hash: sha256(uint32_be(period) ‖ int64_be(genesis_time) ‖ public key ‖ group hash
 * ‖ beacon id unless it is "default"). It binds the period and genesis time to the key.
 */
export function chainInfoHash(info: Omit<ChainInfo, 'hash' | 'schemeId'>): string {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, info.period);
  view.setBigInt64(4, BigInt(info.genesisTime));
  const beaconId = info.beaconId === '' || info.beaconId === 'default' ? new Uint8Array(0) : utf8ToBytes(info.beaconId);
  return bytesToHex(sha256(concatBytes(head, hexToBytes(info.publicKey), hexToBytes(info.groupHash), beaconId)));
}

/** Unix milliseconds at which round `round` is signed: genesis_time + (round − 1) × period. */
export function roundTimeMs(chain: Pick<ChainInfo, 'genesisTime' | 'period'>, round: number): number {
  return (chain.genesisTime + (round - 1) * chain.period) * 1000;
}

/** The first round whose time is strictly later than `afterMs` (Unix milliseconds). */
export function roundAfter(chain: Pick<ChainInfo, 'genesisTime' | 'period'>, afterMs: number): number {
  const elapsed = afterMs - chain.genesisTime * 1000;
  if (elapsed < 0) return 1;
  return Math.floor(elapsed / (chain.period * 1000)) + 2;
}

/** The message a round's signature is on: sha256(uint64_be(round)). */
export function roundMessage(round: number): Uint8Array {
  return sha256(uint64BigEndian(round));
}

export type BeaconCheck = { ok: true } | { ok: false; reason: 'malformed' | 'bad-signature' | 'bad-randomness' };

/** Checks a beacon against a public key: the BLS signature on G1, then randomness = sha256(signature). */
export function checkBeacon(publicKeyHex: string, beacon: Beacon): BeaconCheck {
  if (!Number.isSafeInteger(beacon.round) || beacon.round < 1 || !isHex(beacon.signature, 48) || !isHex(beacon.randomness, 32)) {
    return { ok: false, reason: 'malformed' };
  }
  const signatures = bls12_381.shortSignatures;
  let valid: boolean;
  try {
    valid = signatures.verify(hexToBytes(beacon.signature), signatures.hash(roundMessage(beacon.round), QUICKNET_DST), hexToBytes(publicKeyHex));
  } catch {
    // Not a point of the curve (or not in the subgroup): noble throws while decoding.
    return { ok: false, reason: 'bad-signature' };
  }
  if (!valid) return { ok: false, reason: 'bad-signature' };
  if (bytesToHex(sha256(hexToBytes(beacon.signature))) !== beacon.randomness) return { ok: false, reason: 'bad-randomness' };
  return { ok: true };
}
