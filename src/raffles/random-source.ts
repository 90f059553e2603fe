import { randomBytes, randomInt } from 'node:crypto';

/** Every random choice of a round comes from here: crypto in production, seeded in tests. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, size). */
  index(size: number): number;
}

export const cryptoRandom: RandomSource = {
  uniform: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
  index: (size) => randomInt(size),
};
