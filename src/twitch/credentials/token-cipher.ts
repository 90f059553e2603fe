/**
 * Encrypts OAuth tokens at rest with AES-256-GCM.
 *
 * Value format: `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url parts). The key id is the first
 * 8 hex characters of sha256(key), so a value names the key that sealed it and rotation works by
 * listing keys: the first key encrypts, every listed key decrypts. The `v1.<keyId>` prefix is bound
 * as additional authenticated data, so editing any part of a value makes decryption fail.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipherError extends Error {
  override name = 'TokenCipherError';
}

export interface TokenCipher {
  /** Key id of the key that `encrypt` uses. */
  readonly primaryKeyId: string;
  encrypt(plaintext: string): string;
  decrypt(value: string): string;
  /** Key id recorded in an encrypted value (throws TokenCipherError when the value is malformed). */
  keyIdOf(value: string): string;
  /** True when the value was sealed by a key other than the primary one (re-encrypt it). */
  needsReencryption(value: string): boolean;
}

interface SealedParts {
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

    encrypt(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, primary, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(primaryKeyId));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, primaryKeyId, b64url(nonce), b64url(ciphertext), b64url(tag)].join('.');
    },

    decrypt(value) {
      const parts = parseSealed(value);
      const key = keysById.get(parts.keyId);
      if (key === undefined) {
        throw new TokenCipherError(
          `no configured encryption key has id ${parts.keyId}; configured ids: ${[...keysById.keys()].join(', ')}`,
        );
      }
      const decipher = createDecipheriv(ALGORITHM, key, parts.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(parts.keyId));
      decipher.setAuthTag(parts.tag);
      try {
        return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new TokenCipherError('encrypted value failed authentication (tampered or truncated)');
      }
    },

    keyIdOf(value) {
      return parseSealed(value).keyId;
    },

    needsReencryption(value) {
      return parseSealed(value).keyId !== primaryKeyId;
    },
  };
}

function associatedData(keyId: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}`, 'utf8');
}

function parseSealed(value: string): SealedParts {
  const parts = value.split('.');
  if (parts.length !== 5) throw new TokenCipherError('malformed encrypted value');
  const [version, keyId, nonce, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== VERSION) throw new TokenCipherError(`unsupported encrypted value version "${version}"`);
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw new TokenCipherError('malformed key id in encrypted value');
  const parsed = {
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
