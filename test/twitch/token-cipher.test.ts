import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  TokenCipherError,
  createTokenCipher,
  keyIdOfKey,
  parseTokenEncryptionKeys,
} from '../../src/twitch/credentials/token-cipher';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('token cipher', () => {
  it('round-trips text, including unicode and the empty string', () => {
    const cipher = createTokenCipher([keyA]);
    for (const text of ['abc123', 'eyJfaWQmNzMtNGCJ9%6VFV5LNrZFUj8oU231/3Aj', 'ção 🎉', '']) {
      const sealed = cipher.encrypt(text);
      expect(sealed).not.toContain(text === '' ? '\u0000' : text);
      expect(cipher.decrypt(sealed)).toBe(text);
    }
  });

  it('writes v1.<keyId>.<nonce>.<ciphertext>.<tag> with keyId = sha256(key)[0..8]', () => {
    const cipher = createTokenCipher([keyA]);
    const parts = cipher.encrypt('secret-token').split('.');
    expect(parts).toHaveLength(5);
    const [version, keyId, nonce, , tag] = parts;
    expect(version).toBe('v1');
    expect(keyId).toBe(createHash('sha256').update(keyA).digest('hex').slice(0, 8));
    expect(keyId).toBe(keyIdOfKey(keyA));
    expect(Buffer.from(nonce ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag ?? '', 'base64url')).toHaveLength(16);
  });

  it('uses a fresh nonce for every value', () => {
    const cipher = createTokenCipher([keyA]);
    const values = Array.from({ length: 2000 }, () => cipher.encrypt('same plaintext'));
    expect(new Set(values).size).toBe(values.length);
    expect(new Set(values.map((value) => value.split('.')[2])).size).toBe(values.length);
  });

  it('rotates: the new key encrypts, the old key still decrypts', () => {
    const before = createTokenCipher([keyA]);
    const sealedWithA = before.encrypt('old-token');

    const rotated = createTokenCipher([keyB, keyA]);
    expect(rotated.decrypt(sealedWithA)).toBe('old-token');
    expect(rotated.keyIdOf(sealedWithA)).toBe(keyIdOfKey(keyA));
    expect(rotated.needsReencryption(sealedWithA)).toBe(true);

    const sealedWithB = rotated.encrypt('new-token');
    expect(rotated.keyIdOf(sealedWithB)).toBe(keyIdOfKey(keyB));
    expect(rotated.primaryKeyId).toBe(keyIdOfKey(keyB));
    expect(rotated.needsReencryption(sealedWithB)).toBe(false);
    expect(() => before.decrypt(sealedWithB)).toThrow(TokenCipherError);
  });

  it('refuses a value sealed with a key that is no longer configured, naming the key id', () => {
    const sealed = createTokenCipher([keyA]).encrypt('t');
    const withoutA = createTokenCipher([keyB]);
    expect(() => withoutA.decrypt(sealed)).toThrow(TokenCipherError);
    expect(() => withoutA.decrypt(sealed)).toThrow(keyIdOfKey(keyA));
  });

  it('detects tampering with any part', () => {
    const cipher = createTokenCipher([keyA, keyB]);
    const sealed = cipher.encrypt('access-token-value');
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
    for (const value of tampered) expect(() => cipher.decrypt(value), value).toThrow(TokenCipherError);
    expect(() => cipher.decrypt('v1.abc')).toThrow(TokenCipherError);
    expect(() => cipher.decrypt(sealed.replace(/^v1/, 'v2'))).toThrow(TokenCipherError);
    expect(cipher.decrypt(sealed)).toBe('access-token-value');
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
