import { createCipheriv, randomBytes } from 'node:crypto';
import { keyIdOfKey } from '../../src/crypto/token-cipher';

/** A value in the format written before bindings existed: v1, AAD `v1.<keyId>` only. */
export function legacySeal(key: Buffer, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1.${keyIdOfKey(key)}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', keyIdOfKey(key), nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}
