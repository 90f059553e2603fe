import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  TokenCipherError,
  createTokenCipher,
  type SealBinding,
  keyIdOfKey,
  parseTokenEncryptionKeys,
} from '../../src/crypto/token-cipher';
import { legacySeal } from '../security/legacy-seal';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const here: SealBinding = { table: 'twitch_credentials', column: 'access_token_enc', rowId: 'streamer-1' };


describe('token cipher', () => {
  it('round-trips text, including unicode and the empty string', () => {
    const cipher = createTokenCipher([keyA]);
    for (const text of ['abc123', 'eyJfaWQmNzMtNGCJ9%6VFV5LNrZFUj8oU231/3Aj', 'ção 🎉', '']) {
      const sealed = cipher.encrypt(text, here);
      expect(sealed).not.toContain(text === '' ? '\u0000' : text);
      expect(cipher.decrypt(sealed, here)).toBe(text);
    }
  });

  it('writes v2.<keyId>.<nonce>.<ciphertext>.<tag> with keyId = sha256(key)[0..8]', () => {
    const cipher = createTokenCipher([keyA]);
    const parts = cipher.encrypt('secret-token', here).split('.');
    expect(parts).toHaveLength(5);
    const [version, keyId, nonce, , tag] = parts;
    expect(version).toBe('v2');
    expect(keyId).toBe(createHash('sha256').update(keyA).digest('hex').slice(0, 8));
    expect(keyId).toBe(keyIdOfKey(keyA));
    expect(Buffer.from(nonce ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag ?? '', 'base64url')).toHaveLength(16);
  });

  it('uses a fresh nonce for every value', () => {
    const cipher = createTokenCipher([keyA]);
    const values = Array.from({ length: 2000 }, () => cipher.encrypt('same plaintext', here));
    expect(new Set(values).size).toBe(values.length);
    expect(new Set(values.map((value) => value.split('.')[2])).size).toBe(values.length);
  });

  it('rotates: the new key encrypts, the old key still decrypts', () => {
    const before = createTokenCipher([keyA]);
    const sealedWithA = before.encrypt('old-token', here);

    const rotated = createTokenCipher([keyB, keyA]);
    expect(rotated.decrypt(sealedWithA, here)).toBe('old-token');
    expect(rotated.keyIdOf(sealedWithA)).toBe(keyIdOfKey(keyA));
    expect(rotated.needsReencryption(sealedWithA)).toBe(true);

    const sealedWithB = rotated.encrypt('new-token', here);
    expect(rotated.keyIdOf(sealedWithB)).toBe(keyIdOfKey(keyB));
    expect(rotated.primaryKeyId).toBe(keyIdOfKey(keyB));
    expect(rotated.needsReencryption(sealedWithB)).toBe(false);
    expect(() => before.decrypt(sealedWithB, here)).toThrow(TokenCipherError);
  });

  it('refuses a value sealed with a key that is no longer configured, naming the key id', () => {
    const sealed = createTokenCipher([keyA]).encrypt('t', here);
    const withoutA = createTokenCipher([keyB]);
    expect(() => withoutA.decrypt(sealed, here)).toThrow(TokenCipherError);
    expect(() => withoutA.decrypt(sealed, here)).toThrow(keyIdOfKey(keyA));
  });

  it('detects tampering with any part', () => {
    const cipher = createTokenCipher([keyA, keyB]);
    const sealed = cipher.encrypt('access-token-value', here);
    const parts = sealed.split('.');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      return bytes.toString('base64url');
    };
    const tampered = [
      [parts[0], parts[1], flip(parts[2] ?? ''), parts[3], parts[4]],
      [parts[0], parts[1], parts[2], flip(parts[3] ?? ''), parts[4]],
      [parts[0], parts[1], parts[2], parts[3], flip(parts[4] ?? '')],
      [parts[0], keyIdOfKey(keyB), parts[2], parts[3], parts[4]],
      [parts[0], parts[1], parts[2], (parts[3] ?? '').slice(0, -2), parts[4]],
    ].map((p) => p.join('.'));
    for (const value of tampered) expect(() => cipher.decrypt(value, here), value).toThrow(TokenCipherError);
    expect(() => cipher.decrypt('v2.abc', here)).toThrow(TokenCipherError);
    expect(() => cipher.decrypt(sealed.replace(/^v2/, 'v3'), here)).toThrow(TokenCipherError);
    // A v2 value relabelled v1 would skip the binding: the AAD differs, so it fails.
    expect(() => cipher.decrypt(sealed.replace(/^v2/, 'v1'), here)).toThrow(TokenCipherError);
    expect(cipher.decrypt(sealed, here)).toBe('access-token-value');
  });

  it('binds a value to its table, column and row: moved anywhere else it does not decrypt', () => {
    const cipher = createTokenCipher([keyA]);
    const sealed = cipher.encrypt('access-token-value', here);
    const elsewhere: SealBinding[] = [
      { ...here, rowId: 'streamer-2' },
      { ...here, column: 'refresh_token_enc' },
      { ...here, table: 'streamers' },
      // No ambiguity between parts: moving a dot from one part to the next is another place.
      { table: 'twitch_credentials.access_token_enc', column: '', rowId: 'streamer-1' },
    ];
    for (const binding of elsewhere) {
      expect(() => cipher.decrypt(sealed, binding), JSON.stringify(binding)).toThrow(/failed authentication/);
    }
    expect(cipher.decrypt(sealed, { ...here })).toBe('access-token-value');
  });

  it('still reads legacy v1 values (no binding) and marks them for re-encryption', () => {
    const cipher = createTokenCipher([keyA]);
    const legacy = legacySeal(keyA, 'old-token');
    expect(cipher.decrypt(legacy, here)).toBe('old-token');
    expect(cipher.keyIdOf(legacy)).toBe(cipher.primaryKeyId);
    expect(cipher.needsReencryption(legacy)).toBe(true);
    const resealed = cipher.encrypt(cipher.decrypt(legacy, here), here);
    expect(cipher.needsReencryption(resealed)).toBe(false);
    expect(() => cipher.decrypt(resealed, { ...here, rowId: 'streamer-2' })).toThrow(TokenCipherError);
    // Tampered legacy values still fail.
    const parts = legacy.split('.');
    const tag = Buffer.from(parts[4] ?? '', 'base64url');
    tag[0] = (tag[0] ?? 0) ^ 1;
    expect(() => cipher.decrypt([...parts.slice(0, 4), tag.toString('base64url')].join('.'), here)).toThrow(TokenCipherError);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => createTokenCipher([])).toThrow(TokenCipherError);
    expect(() => createTokenCipher([randomBytes(16)])).toThrow(/16 bytes/);
  });

  it('parses a comma-separated base64 key list without echoing key material', () => {
    const keys = parseTokenEncryptionKeys(` ${keyB.toString('base64')}, ${keyA.toString('base64')} `);
    expect(keys.map((k) => k.toString('hex'))).toEqual([keyB.toString('hex'), keyA.toString('hex')]);
    const short = randomBytes(31).toString('base64');
    expect(() => parseTokenEncryptionKeys(`${keyA.toString('base64')},${short}`)).toThrow(/#2 decodes to 31 bytes/);
    try {
      parseTokenEncryptionKeys(short);
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    expect(() => parseTokenEncryptionKeys('not base64!!')).toThrow(TokenCipherError);
    expect(() => parseTokenEncryptionKeys(' , ')).toThrow(TokenCipherError);
  });
});
