/**
 * Overlay keys at rest. The database holds, per streamer:
 * - `overlay_key_enc`: the key sealed with the shared AES-256-GCM cipher (TOKEN_ENCRYPTION_KEY),
 *   bound to (streamers, overlay_key_enc, streamer id), decrypted only to print `overlayUrl`;
 * - `overlay_key_hash`: `<keyId>.<HMAC-SHA256(lookupKey, overlay key)>`, what a presented key is
 *   looked up by (an exact, indexed match; the database never sees the key itself).
 *
 * The HMAC key is derived with HKDF from an encryption key (own `info`, so it is never the AES key
 * itself). Rotation: rather than ask operators for one more secret that must never change, every
 * configured key can look a key up (a presented key is hashed with each, a handful at most), the
 * stored hash names the key it was made with, and at startup `StreamerService.sealOverlayKeys`
 * re-hashes and re-seals every row with the primary key. So a rotated TOKEN_ENCRYPTION_KEY
 * ("new,old") keeps every overlay URL working at once, and the old key can be dropped after an
 * instance has started with the new list, the same rule as for the Twitch tokens.
 */
import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { createTokenCipher, keyIdOfKey, type SealBinding, type TokenCipher } from '../crypto/token-cipher';

const LOOKUP_INFO = 'kinoyu overlay-key lookup v1';

/**
 * Opened keys kept in memory, by streamer id and sealed value: `overlayUrl` is on the bot's and the
 * dashboard's hot queries, and an AES-GCM open per answer was a measurable part of one. A rotated
 * key is a new sealed value (a miss); the old entry ages out.
 */
const OPENED_KEYS_CACHED = 10_000;

export interface SealedOverlayKey {
  overlayKeyEnc: string;
  overlayKeyHash: string;
}

export function newOverlayKey(): string {
  return randomBytes(24).toString('base64url');
}

export function overlayKeyBinding(streamerId: string): SealBinding {
  return { table: 'streamers', column: 'overlay_key_enc', rowId: streamerId };
}

export class OverlayKeyVault {
  private readonly cipher: TokenCipher;
  private readonly lookupKeys: Array<{ keyId: string; key: Buffer }>;
  private readonly opened = new LRUCache<string, string>({ max: OPENED_KEYS_CACHED });

  constructor(encryptionKeys: readonly Buffer[]) {
    this.cipher = createTokenCipher(encryptionKeys);
    const seen = new Set<string>();
    this.lookupKeys = encryptionKeys.flatMap((key) => {
      const keyId = keyIdOfKey(key);
      if (seen.has(keyId)) return [];
      seen.add(keyId);
      return [{ keyId, key: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), LOOKUP_INFO, 32)) }];
    });
  }

  get primaryKeyId(): string {
    return this.cipher.primaryKeyId;
  }

  seal(streamerId: string, overlayKey: string): SealedOverlayKey {
    const primary = this.lookupKeys[0]!;
    return {
      overlayKeyEnc: this.cipher.encrypt(overlayKey, overlayKeyBinding(streamerId)),
      overlayKeyHash: hashWith(primary, overlayKey),
    };
  }

  /** The key of this streamer; throws TokenCipherError when the value was not sealed for this row. */
  open(streamerId: string, overlayKeyEnc: string): string {
    const cacheKey = `${streamerId}\n${overlayKeyEnc}`;
    const cached = this.opened.get(cacheKey);
    if (cached !== undefined) return cached;
    const overlayKey = this.cipher.decrypt(overlayKeyEnc, overlayKeyBinding(streamerId));
    this.opened.set(cacheKey, overlayKey);
    return overlayKey;
  }

  /** Every hash the presented key may be stored under (one per configured key). */
  lookupHashes(overlayKey: string): string[] {
    return this.lookupKeys.map((lookup) => hashWith(lookup, overlayKey));
  }

  /** True when a row's key was sealed or hashed by a key other than the primary one (or in an older format). */
  needsResealing(sealed: SealedOverlayKey): boolean {
    return this.cipher.needsReencryption(sealed.overlayKeyEnc) || !sealed.overlayKeyHash.startsWith(`${this.primaryKeyId}.`);
  }

  /** A new streamer row's id and sealed key (the id is chosen here because the key is bound to it). */
  newStreamer(): { id: string } & SealedOverlayKey {
    const id = randomUUID();
    return { id, ...this.seal(id, newOverlayKey()) };
  }
}

function hashWith(lookup: { keyId: string; key: Buffer }, overlayKey: string): string {
  return `${lookup.keyId}.${createHmac('sha256', lookup.key).update(overlayKey, 'utf8').digest('base64url')}`;
}
