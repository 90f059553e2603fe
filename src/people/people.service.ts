import type { StreamerRole } from '../auth/roles';
import type { Db } from '../db/database';
import { NotFoundError, ValidationError } from '../errors/domain-errors';

export interface Person {
  twitchUserId: string;
  login: string;
  displayName: string;
}

export interface TwitchUserRef {
  id: string;
  login: string;
}

export interface PeopleServiceDeps {
  db: Db;
  /**
   * Helix Get Users by login, with the streamer owner's stored user token; null when Twitch knows
   * no such login. Throws TwitchNotConfiguredError / TwitchNotLinkedError when it cannot ask.
   */
  findTwitchUser(streamerId: string, login: string): Promise<TwitchUserRef | null>;
}

/** Twitch logins: 1-25 of letters, digits, underscore (we compare lowercased). */
const LOGIN_PATTERN = /^[a-z0-9_]{1,25}$/;

/** Who is logged in (viewer) and the owner's editors of a streamer. */
export class PeopleService {
  constructor(private readonly deps: PeopleServiceDeps) {}

  /**
   * The person behind a principal: names from their newest session, else from the streamer they
   * own, else from an editor row (persons injected by tests have no session).
   */
  async person(twitchUserId: string): Promise<Person> {
    const { db } = this.deps;
    const session = await db.session.findFirst({ where: { twitchUserId }, orderBy: { createdAt: 'desc' } });
    if (session) return { twitchUserId, login: session.login, displayName: session.displayName };
    const owned = await db.streamer.findUnique({ where: { twitchUserId }, select: { login: true, displayName: true } });
    if (owned?.login) return { twitchUserId, login: owned.login, displayName: owned.displayName ?? owned.login };
    const editor = await db.streamerEditor.findFirst({ where: { twitchUserId }, select: { login: true } });
    const login = editor?.login ?? twitchUserId;
    return { twitchUserId, login, displayName: login };
  }

  /** The streamers the person may steer: the one they own first, then those they edit (oldest first). */
  async streamersOf(twitchUserId: string): Promise<Array<{ role: StreamerRole; streamerId: string }>> {
    const { db } = this.deps;
    const [owned, edited] = await Promise.all([
      db.streamer.findUnique({ where: { twitchUserId }, select: { id: true } }),
      db.streamerEditor.findMany({ where: { twitchUserId }, orderBy: { addedAt: 'asc' }, select: { streamerId: true } }),
    ]);
    return [
      ...(owned ? [{ role: 'OWNER' as const, streamerId: owned.id }] : []),
      ...edited.filter((row) => row.streamerId !== owned?.id).map((row) => ({ role: 'EDITOR' as const, streamerId: row.streamerId })),
    ];
  }

  /** Adds the Twitch user `login` as an editor (idempotent: again keeps one row, login refreshed). */
  async addEditor(streamerId: string, login: string): Promise<void> {
    const { db } = this.deps;
    const wanted = login.trim().toLowerCase();
    if (!LOGIN_PATTERN.test(wanted)) throw new ValidationError([{ path: ['login'], message: 'Not a Twitch login (letters, digits, underscore).' }]);
    const streamer = await db.streamer.findUnique({ where: { id: streamerId }, select: { id: true, twitchUserId: true } });
    if (!streamer) throw new NotFoundError('Streamer', streamerId);
    const user = await this.deps.findTwitchUser(streamerId, wanted);
    if (!user) throw new ValidationError([{ path: ['login'], message: `Twitch has no user ${wanted}.` }]);
    if (user.id === streamer.twitchUserId) throw new ValidationError([{ path: ['login'], message: 'The owner needs no editor role.' }]);
    await db.streamerEditor.upsert({
      where: { streamerId_twitchUserId: { streamerId, twitchUserId: user.id } },
      create: { streamerId, twitchUserId: user.id, login: user.login },
      update: { login: user.login },
    });
  }

  /** Removes an editor; removing someone who is not one is not an error. */
  async removeEditor(streamerId: string, twitchUserId: string): Promise<void> {
    const { db } = this.deps;
    const streamer = await db.streamer.findUnique({ where: { id: streamerId }, select: { id: true } });
    if (!streamer) throw new NotFoundError('Streamer', streamerId);
    await db.streamerEditor.deleteMany({ where: { streamerId, twitchUserId } });
  }
}
