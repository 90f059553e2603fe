/**
 * OverlayKeyVault on its own: what it opens, and that keeping opened keys in memory never lets a
 * sealed value open for a row it was not sealed for.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipherError } from '../../src/crypto/token-cipher';
import { newOverlayKey, OverlayKeyVault } from '../../src/streamers/overlay-key-vault';

describe('OverlayKeyVault', () => {
  const vault = new OverlayKeyVault([randomBytes(32)]);

  it('opens a sealed key for its row, the same each time', () => {
    const id = randomUUID();
    const key = newOverlayKey();
    const { overlayKeyEnc } = vault.seal(id, key);
    expect(vault.open(id, overlayKeyEnc)).toBe(key);
    expect(vault.open(id, overlayKeyEnc)).toBe(key);
  });

  it('refuses a value opened for its own row when it is presented for another one', () => {
    const owner = randomUUID();
    const { overlayKeyEnc } = vault.seal(owner, newOverlayKey());
    vault.open(owner, overlayKeyEnc);
    expect(() => vault.open(randomUUID(), overlayKeyEnc)).toThrow(TokenCipherError);
  });

  it('opens a re-sealed (rotated) key as the new key', () => {
    const id = randomUUID();
    const first = vault.seal(id, newOverlayKey());
    vault.open(id, first.overlayKeyEnc);
    const rotatedKey = newOverlayKey();
    const rotated = vault.seal(id, rotatedKey);
    expect(vault.open(id, rotated.overlayKeyEnc)).toBe(rotatedKey);
  });

  it('refuses a tampered value', () => {
    const id = randomUUID();
    const { overlayKeyEnc } = vault.seal(id, newOverlayKey());
    vault.open(id, overlayKeyEnc);
    // v2.<keyId>.<nonce>.<ciphertext>.<tag>: flip one bit of the ciphertext, then of the tag. (Text
    // edits at the end of a base64url part can land on bits its decoder ignores.)
    for (const index of [3, 4]) {
      const parts = overlayKeyEnc.split('.');
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0]! ^= 0x01;
      parts[index] = bytes.toString('base64url');
      expect(() => vault.open(id, parts.join('.'))).toThrow(TokenCipherError);
    }
  });
});
