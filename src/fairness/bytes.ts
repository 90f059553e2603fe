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

/**
 * Bytewise order of the UTF-8 encodings (what PostgreSQL's COLLATE "C" does), not UTF-16 order.
 * Without encoding: outside the surrogates, UTF-16 code units order like code points, which order
 * like their UTF-8 bytes; a surrogate (a code point from U+10000) sorts after any other unit.
 * Linear in the common prefix, no allocation: it sorts 100k entrants per round.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xSurrogate = x >= 0xd800 && x <= 0xdfff;
      const ySurrogate = y >= 0xd800 && y <= 0xdfff;
      if (xSurrogate === ySurrogate) return x - y;
      return xSurrogate ? 1 : -1;
    }
  }
  return a.length - b.length;
}
