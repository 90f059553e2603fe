import type { Db } from '../db/database';
import { hashSecret, newSecret } from './session-cookie';

/** How long a started login may take at Twitch. */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;

/**
 * Pending "Log in with Twitch" attempts. `state` goes to Twitch and comes back on the callback;
 * `binding` goes into the browser's short-lived login cookie. Both are stored as SHA-256. The
 * callback consumes the state once, and only together with the binding of the browser that
 * started it (a login link sent to someone else logs nobody in), before it expires.
 */
export class LoginStates {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<{ state: string; binding: string }> {
    const state = newSecret();
    const binding = newSecret();
    const now = this.now();
    await this.db.loginState.deleteMany({ where: { expiresAt: { lt: now } } });
    await this.db.loginState.create({
      data: { stateHash: hashSecret(state), bindingHash: hashSecret(binding), expiresAt: new Date(now.getTime() + LOGIN_STATE_TTL_MS) },
    });
    return { state, binding };
  }

  /** True once per state, for the browser that started it, before it expires. */
  async consume(state: string, binding: string | undefined): Promise<boolean> {
    if (!binding) return false;
    const now = this.now();
    const { count } = await this.db.loginState.updateMany({
      where: { stateHash: hashSecret(state), bindingHash: hashSecret(binding), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    return count === 1;
  }
}
