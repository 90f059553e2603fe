/** Chat rosters per broadcaster and Twitch-like cursor pagination over them. */
import { randomBytes } from 'node:crypto';

export interface FakeChatterInput {
  userId: string;
  login: string;
  displayName: string;
}

export interface RosterOptions {
  /**
   * Start every page after the first with the previous page's last chatter, as Twitch does when
   * the chat changes between pages. Everyone is still served; the client must dedupe.
   */
  overlapPages?: boolean;
}

interface WireChatter {
  user_id: string;
  user_login: string;
  user_name: string;
}

interface Roster {
  chatters: WireChatter[];
  overlapPages: boolean;
}

export interface ChattersPageResult {
  data: WireChatter[];
  pagination: { cursor?: string };
  total: number;
}

export class ChatterRosters {
  private readonly rosters = new Map<string, Roster>();

  has(broadcasterId: string): boolean {
    return this.rosters.has(broadcasterId);
  }

  set(broadcasterId: string, chatters: readonly FakeChatterInput[], options: RosterOptions = {}): void {
    this.rosters.set(broadcasterId, {
      chatters: chatters.map((c) => ({ user_id: c.userId, user_login: c.login, user_name: c.displayName })),
      overlapPages: options.overlapPages ?? false,
    });
  }

  /** `count` distinct chatters with ids 500000000+i; returns them in roster order. */
  generate(broadcasterId: string, count: number, options: RosterOptions = {}): FakeChatterInput[] {
    const chatters: FakeChatterInput[] = new Array<FakeChatterInput>(count);
    for (let i = 0; i < count; i += 1) {
      chatters[i] = { userId: String(500_000_000 + i), login: `viewer_${i}`, displayName: `Viewer_${i}` };
    }
    this.set(broadcasterId, chatters, options);
    return chatters;
  }

  /** One page, or null when the cursor is not one this roster issued. */
  page(broadcasterId: string, first: number, after: string | null): ChattersPageResult | null {
    const roster = this.rosters.get(broadcasterId) ?? { chatters: [], overlapPages: false };
    let offset = 0;
    if (after !== null) {
      const decoded = decodeCursor(after);
      if (decoded === null || decoded.b !== broadcasterId) return null;
      offset = decoded.a.Offset;
    }
    const start = roster.overlapPages && offset > 0 && first > 1 ? offset - 1 : offset;
    const end = Math.min(roster.chatters.length, start + first);
    const data = roster.chatters.slice(start, end);
    const pagination = end < roster.chatters.length ? { cursor: encodeCursor(broadcasterId, end) } : {};
    return { data, pagination, total: roster.chatters.length };
  }
}

interface CursorBody {
  b: string;
  a: { Offset: number };
  /** Random salt so cursors contain '+', '/' and '=' now and then: clients must URL-encode them. */
  s: string;
}

function encodeCursor(broadcasterId: string, offset: number): string {
  const body: CursorBody = { b: broadcasterId, a: { Offset: offset }, s: randomBytes(6).toString('base64') };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

function decodeCursor(cursor: string): CursorBody | null {
  try {
    const body = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as Partial<CursorBody>;
    if (typeof body.b !== 'string' || typeof body.a?.Offset !== 'number' || !Number.isInteger(body.a.Offset)) {
      return null;
    }
    return body as CursorBody;
  } catch {
    return null;
  }
}
