import type { Db } from '../db/database';
import { hashSecret, newSecret } from './session-cookie';

/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export interface SessionPerson {
  twitchUserId: string;
  login: string;
  displayName: string;
}

/**
 * Server-side sessions: the cookie carries a random 32-byte id, the row its SHA-256. A session
 * answers while it is neither expired nor revoked.
 */
export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new session for the person; returns the id for the cookie (never stored as such). */
  async create(person: SessionPerson): Promise<{ id: string; expiresAt: Date }> {
    const id = newSecret();
    const expiresAt = new Date(this.now().getTime() + SESSION_TTL_MS);
    await this.db.session.create({ data: { idHash: hashSecret(id), ...person, expiresAt } });
    return { id, expiresAt };
  }

  /** The person of a live session; null when unknown, expired or revoked. */
  async find(id: string): Promise<SessionPerson | null> {
    const row = await this.db.session.findUnique({ where: { idHash: hashSecret(id) } });
    if (!row || row.revokedAt !== null || row.expiresAt.getTime() <= this.now().getTime()) return null;
    return { twitchUserId: row.twitchUserId, login: row.login, displayName: row.displayName };
  }

  /** Logout: the session no longer answers. */
  async revoke(id: string): Promise<void> {
    await this.db.session.updateMany({ where: { idHash: hashSecret(id), revokedAt: null }, data: { revokedAt: this.now() } });
  }

  /**
   * Ends every session of a Twitch user (their streamer was unlinked, or Twitch revoked its
   * tokens); inside the caller's transaction when `client` is one. Returns how many ended.
   */
  async revokeAllOf(twitchUserId: string, client: Pick<Db, 'session'> = this.db): Promise<number> {
    const { count } = await client.session.updateMany({ where: { twitchUserId, revokedAt: null }, data: { revokedAt: this.now() } });
    return count;
  }
}
