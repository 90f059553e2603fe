/**
 * Encrypts secrets at rest with AES-256-GCM: the streamers' Twitch tokens and overlay keys.
 *
 * Value format: `v2.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url parts). The key id is the first
 * 8 hex characters of sha256(key), so a value names the key that sealed it and rotation works by
 * listing keys: the first key encrypts, every listed key decrypts.
 *
 * The additional authenticated data binds the version, the key id AND the place the value lives
 * in (table, column, row id): a value copied into another row or column fails authentication
 * instead of decrypting there. Callers name that place with a `SealBinding`.
 *
 * `v1` values (written before the binding existed) bound only `v1.<keyId>`. They still decrypt,
 * whatever the binding, and `needsReencryption` is true for them, so the stores re-seal them as v2
 * the first time they are read (or at startup): after that no unbound value is left to move.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v2';
const LEGACY_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipherError extends Error {
  override name = 'TokenCipherError';
}

/** Where an encrypted value is stored; part of its authenticated data. */
export interface SealBinding {
  table: string;
  column: string;
  rowId: string;
}

export interface TokenCipher {
  /** Key id of the key that `encrypt` uses. */
  readonly primaryKeyId: string;
  encrypt(plaintext: string, binding: SealBinding): string;
  /** Throws TokenCipherError when the value is malformed, sealed for another place, or by an unknown key. */
  decrypt(value: string, binding: SealBinding): string;
  /** Key id recorded in an encrypted value (throws TokenCipherError when the value is malformed). */
  keyIdOf(value: string): string;
  /** True when the value was sealed by a key other than the primary one, or in the unbound v1 format (re-encrypt it). */
  needsReencryption(value: string): boolean;
}

interface SealedParts {
  version: typeof VERSION | typeof LEGACY_VERSION;
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function keyIdOfKey(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * Parses `TOKEN_ENCRYPTION_KEY`-style text: comma-separated base64 (or base64url) 32-byte keys,
 * first one primary. Errors name the entry's position, never its content.
 */
export function parseTokenEncryptionKeys(text: string): Buffer[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new TokenCipherError('no encryption key given');
  return entries.map((entry, index) => {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(entry)) {
      throw new TokenCipherError(`encryption key #${index + 1} is not base64`);
    }
    const key = Buffer.from(entry, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new TokenCipherError(
        `encryption key #${index + 1} decodes to ${key.length} bytes; expected ${KEY_BYTES}`,
      );
    }
    return key;
  });
}

export function createTokenCipher(keys: readonly Buffer[]): TokenCipher {
  const primary = keys[0];
  if (primary === undefined) throw new TokenCipherError('at least one encryption key is required');
  const keysById = new Map<string, Buffer>();
  keys.forEach((key, index) => {
    if (key.length !== KEY_BYTES) {
      throw new TokenCipherError(
        `encryption key #${index + 1} is ${key.length} bytes; expected ${KEY_BYTES}`,
      );
    }
    const id = keyIdOfKey(key);
    if (!keysById.has(id)) keysById.set(id, Buffer.from(key));
  });
  const primaryKeyId = keyIdOfKey(primary);

  return {
    primaryKeyId,

    encrypt(plaintext, binding) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, primary, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(VERSION, primaryKeyId, binding));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, primaryKeyId, b64url(nonce), b64url(ciphertext), b64url(tag)].join('.');
    },

    decrypt(value, binding) {
      const parts = parseSealed(value);
      const key = keysById.get(parts.keyId);
      if (key === undefined) {
        throw new TokenCipherError(
          `no configured encryption key has id ${parts.keyId}; configured ids: ${[...keysById.keys()].join(', ')}`,
        );
      }
      const decipher = createDecipheriv(ALGORITHM, key, parts.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(parts.version, parts.keyId, binding));
      decipher.setAuthTag(parts.tag);
      try {
        return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new TokenCipherError('encrypted value failed authentication (tampered, truncated or moved from another row or column)');
      }
    },

    keyIdOf(value) {
      return parseSealed(value).keyId;
    },

    needsReencryption(value) {
      const parts = parseSealed(value);
      return parts.version !== VERSION || parts.keyId !== primaryKeyId;
    },
  };
}

function associatedData(version: SealedParts['version'], keyId: string, binding: SealBinding): Buffer {
  if (version === LEGACY_VERSION) return Buffer.from(`${LEGACY_VERSION}.${keyId}`, 'utf8');
  // JSON keeps the parts apart whatever characters they hold.
  return Buffer.from(JSON.stringify([version, keyId, binding.table, binding.column, binding.rowId]), 'utf8');
}

function parseSealed(value: string): SealedParts {
  const parts = value.split('.');
  if (parts.length !== 5) throw new TokenCipherError('malformed encrypted value');
  const [version, keyId, nonce, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== VERSION && version !== LEGACY_VERSION) {
    throw new TokenCipherError(`unsupported encrypted value version "${version}"`);
  }
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw new TokenCipherError('malformed key id in encrypted value');
  const parsed: SealedParts = {
    version,
    keyId,
    nonce: fromB64url(nonce),
    ciphertext: fromB64url(ciphertext),
    tag: fromB64url(tag),
  };
  if (parsed.nonce.length !== NONCE_BYTES || parsed.tag.length !== TAG_BYTES) {
    throw new TokenCipherError('malformed nonce or tag in encrypted value');
  }
  return parsed;
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function fromB64url(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TokenCipherError('malformed base64url in encrypted value');
  return Buffer.from(text, 'base64url');
}
