import { createTokenCipher, type SealBinding, type TokenCipher } from '../crypto/token-cipher';
import { newServerSeed, sealHash } from '../fairness/sealed';

/**
 * The serverSeed of sealed raffles (FAIRNESS.md "sealed"): drawn when the raffle starts, kept
 * AES-256-GCM sealed like the Twitch tokens (TOKEN_ENCRYPTION_KEY, authenticated data bound to
 * raffles/server_seed_enc/<raffle id>), only its sealHash published until the raffle ends.
 */
export interface SealedSeed {
  sealHash: string;
  serverSeedEnc: string;
}

export function serverSeedBinding(raffleId: string): SealBinding {
  return { table: 'raffles', column: 'server_seed_enc', rowId: raffleId };
}

export class ServerSeedVault {
  private readonly cipher: TokenCipher;

  /** `newSeed` draws 32 bytes of hex (CSPRNG); tests may pass a seeded one. */
  constructor(encryptionKeys: readonly Buffer[], private readonly newSeed: () => string = newServerSeed) {
    this.cipher = createTokenCipher(encryptionKeys);
  }

  /** A fresh seed for the raffle, sealed for its row, with its public hash. */
  create(raffleId: string): SealedSeed {
    const seed = this.newSeed();
    return { sealHash: sealHash(seed), serverSeedEnc: this.cipher.encrypt(seed, serverSeedBinding(raffleId)) };
  }

  /** The seed in hex; throws TokenCipherError when the value was tampered with or moved. */
  open(raffleId: string, serverSeedEnc: string): string {
    return this.cipher.decrypt(serverSeedEnc, serverSeedBinding(raffleId));
  }
}
