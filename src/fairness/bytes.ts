import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/*
 * Byte helpers for the proof format (FAIRNESS.md v1). Browser-safe: @noble/hashes only, no
 * node:crypto, so the verify page can run the same code as the server and the CLI.
 */

export { bytesToHex, hexToBytes, utf8ToBytes };

/** hex(SHA-256(UTF-8 text)). */
export function sha256Hex(text: string | Uint8Array): string {
  return bytesToHex(sha256(typeof text === 'string' ? utf8ToBytes(text) : text));
}

/** HMAC-SHA256(key, message); a string message is taken as its UTF-8 bytes. */
export function hmacSha256(key: Uint8Array, message: string | Uint8Array): Uint8Array {
  return hmac(sha256, key, typeof message === 'string' ? utf8ToBytes(message) : message);
}

/** 8 bytes, big-endian. */
export function uint64BigEndian(value: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/** Lower-case hex of exactly `bytes` bytes. */
export function isHex(value: unknown, bytes?: number): value is string {
  if (typeof value !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(value)) return false;
  return bytes === undefined || value.length === bytes * 2;
}

/** Bytewise order of the UTF-8 encodings (what PostgreSQL's COLLATE "C" does), not UTF-16 order. */
export function compareUtf8(a: string, b: string): number {
  const x = utf8ToBytes(a);
  const y = utf8ToBytes(b);
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i += 1) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}
