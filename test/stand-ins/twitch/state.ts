/** Everything the Twitch stand-in remembers: users, grants and tokens, switches, logs. */
import { randomBytes } from 'node:crypto';
import { ChatterRosters } from './chatters.js';
import { FakeEventSub, type FakeEventSubOptions } from './eventsub/fake-eventsub.js';
import type { RequestLogEntry } from './http.js';
import { TokenBucket } from './token-bucket.js';

export interface FakeUserInput {
  id: string;
  login: string;
  displayName: string;
  broadcasterType?: '' | 'affiliate' | 'partner';
  description?: string;
}

export interface FakeUser {
  id: string;
  login: string;
  display_name: string;
  type: string;
  broadcaster_type: string;
  description: string;
  profile_image_url: string;
  offline_image_url: string;
  view_count: number;
  created_at: string;
}

export interface ConsentInput {
  userId: string;
  /** Scopes the user grants; default: exactly the requested ones. */
  scopes?: string[];
  /** The user clicks "Cancel". */
  deny?: boolean;
}

export interface AuthCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  expiresAtMs: number;
}

export interface Grant {
  id: string;
  clientId: string;
  userId: string;
  scopes: string[];
  refreshToken: string | null;
  revoked: boolean;
}

export interface AccessTokenRecord {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  expiresAtMs: number;
  revoked: boolean;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scopes: string[];
}

export interface SentMessageRecord {
  messageId: string;
  broadcasterId: string;
  senderId: string;
  message: string;
  replyParentMessageId: string | null;
  at: number;
}

export interface DroppedMessageRecord extends Omit<SentMessageRecord, 'messageId'> {
  dropReason: { code: string; message: string };
}

export interface StateOptions {
  clientId: string;
  clientSecret: string;
  accessTokenTtlSeconds: number;
  redirectUris: string[] | null;
  bucketSize: number;
  bucketWindowMs: number;
  pageLatencyMs: number;
  eventsub?: FakeEventSubOptions;
}

const CODE_TTL_MS = 10 * 60_000;

export class FakeTwitchState {
  readonly users = new Map<string, FakeUser>();
  readonly moderators = new Map<string, Set<string>>();
  readonly vips = new Map<string, Set<string>>();
  readonly subscribers = new Map<string, Set<string>>();
  readonly rosters = new ChatterRosters();
  readonly codes = new Map<string, AuthCode>();
  readonly grants = new Map<string, Grant>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, string>();
  readonly requests: RequestLogEntry[] = [];
  readonly sentMessages: SentMessageRecord[] = [];
  readonly droppedMessages: DroppedMessageRecord[] = [];
  readonly failures = new Map<string, { remaining: number; status: number }>();
  readonly dropQueue: Array<{ code: string; message: string }> = [];
  private readonly buckets = new Map<string, TokenBucket>();
  private consent: ConsentInput | null = null;
  private defaultApprover: string | null = null;
  refreshCount = 0;
  readonly eventsub: FakeEventSub;

  constructor(readonly options: StateOptions) {
    this.eventsub = new FakeEventSub(options.eventsub);
  }

  addUser(input: FakeUserInput): FakeUser {
    const user: FakeUser = {
      id: input.id,
      login: input.login,
      display_name: input.displayName,
      type: '',
      broadcaster_type: input.broadcasterType ?? '',
      description: input.description ?? '',
      profile_image_url: `https://static-cdn.example/jtv_user_pictures/${input.login}-profile_image-300x300.png`,
      offline_image_url: '',
      view_count: 0,
      created_at: '2020-01-01T00:00:00Z',
    };
    this.users.set(user.id, user);
    this.defaultApprover = user.id;
    return user;
  }

  addModerator(broadcasterId: string, userId: string): void {
    const set = this.moderators.get(broadcasterId) ?? new Set<string>();
    set.add(userId);
    this.moderators.set(broadcasterId, set);
  }

  /** Adds a user to a broadcaster's VIPs or subscribers. */
  addRole(role: 'vip' | 'subscriber', broadcasterId: string, userId: string): void {
    const map = role === 'vip' ? this.vips : this.subscribers;
    const set = map.get(broadcasterId) ?? new Set<string>();
    set.add(userId);
    map.set(broadcasterId, set);
  }

  isModeratorOf(broadcasterId: string, userId: string): boolean {
    return broadcasterId === userId || (this.moderators.get(broadcasterId)?.has(userId) ?? false);
  }

  setConsent(consent: ConsentInput): void {
    this.consent = consent;
  }

  /** What the user at the browser does for this authorize request (consumes a setConsent). */
  takeConsent(): ConsentInput | null {
    const consent = this.consent;
    this.consent = null;
    if (consent) return consent;
    return this.defaultApprover === null ? null : { userId: this.defaultApprover };
  }

  issueCode(code: Omit<AuthCode, 'expiresAtMs'>): string {
    const value = randomToken(30);
    this.codes.set(value, { ...code, expiresAtMs: Date.now() + CODE_TTL_MS });
    return value;
  }

  /** Single use: the code is gone after this call whatever the outcome. */
  takeCode(value: string): AuthCode | null {
    const code = this.codes.get(value);
    this.codes.delete(value);
    if (!code || code.expiresAtMs < Date.now()) return null;
    return code;
  }

  issueGrant(clientId: string, userId: string, scopes: string[], ttlSeconds?: number): IssuedTokens {
    const grant: Grant = { id: randomToken(12), clientId, userId, scopes, refreshToken: null, revoked: false };
    this.grants.set(grant.id, grant);
    return this.mintTokens(grant, ttlSeconds);
  }

  /** Rotates: the presented refresh token stops working. Null when it is unknown or revoked. */
  refreshGrant(refreshToken: string, clientId: string): IssuedTokens | null {
    const grantId = this.refreshTokens.get(refreshToken);
    const grant = grantId === undefined ? undefined : this.grants.get(grantId);
    if (!grant || grant.revoked || grant.clientId !== clientId) return null;
    this.refreshTokens.delete(refreshToken);
    this.refreshCount += 1;
    return this.mintTokens(grant);
  }

  activeAccessToken(token: string): AccessTokenRecord | null {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked || record.expiresAtMs <= Date.now()) return null;
    const grant = this.grants.get(record.grantId);
    if (!grant || grant.revoked) return null;
    return record;
  }

  /** Revokes the whole grant behind an access token (its refresh token too). */
  revokeAccessToken(token: string, clientId: string): boolean {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked || record.clientId !== clientId) return false;
    this.revokeGrant(record.grantId);
    return true;
  }

  revokeUser(userId: string): number {
    // Twitch revokes the user's EventSub subscriptions too (revocation: authorization_revoked).
    this.eventsub.revoke(userId, 'authorization_revoked');
    let count = 0;
    for (const grant of this.grants.values()) {
      if (grant.userId === userId && !grant.revoked) {
        this.revokeGrant(grant.id);
        count += 1;
      }
    }
    for (const [value, code] of this.codes) if (code.userId === userId) this.codes.delete(value);
    return count;
  }

  /** Expires one access token, or every access token of a user id. Returns how many. */
  expireAccessToken(tokenOrUserId: string): number {
    const past = Date.now() - 1;
    const single = this.accessTokens.get(tokenOrUserId);
    if (single) {
      single.expiresAtMs = past;
      return 1;
    }
    let count = 0;
    for (const record of this.accessTokens.values()) {
      if (record.userId === tokenOrUserId && record.expiresAtMs > past) {
        record.expiresAtMs = past;
        count += 1;
      }
    }
    return count;
  }

  bucketFor(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.options.bucketSize, this.options.bucketWindowMs);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  throttle(bucketSize: number, windowMs?: number): void {
    this.options.bucketSize = bucketSize;
    if (windowMs !== undefined) this.options.bucketWindowMs = windowMs;
    this.buckets.clear();
  }

  failNext(path: string, count: number, status: number): void {
    this.failures.set(path, { remaining: count, status });
  }

  /** The injected failure status for this path, consuming one, or null. */
  takeFailure(path: string): number | null {
    const failure = this.failures.get(path);
    if (!failure || failure.remaining <= 0) return null;
    failure.remaining -= 1;
    if (failure.remaining === 0) this.failures.delete(path);
    return failure.status;
  }

  private mintTokens(grant: Grant, ttlSeconds = this.options.accessTokenTtlSeconds): IssuedTokens {
    const accessToken = randomToken(30);
    const refreshToken = randomRefreshToken();
    this.accessTokens.set(accessToken, {
      grantId: grant.id,
      clientId: grant.clientId,
      userId: grant.userId,
      scopes: grant.scopes,
      expiresAtMs: Date.now() + ttlSeconds * 1000,
      revoked: false,
    });
    if (grant.refreshToken !== null) this.refreshTokens.delete(grant.refreshToken);
    grant.refreshToken = refreshToken;
    this.refreshTokens.set(refreshToken, grant.id);
    return { accessToken, refreshToken, expiresIn: ttlSeconds, scopes: grant.scopes };
  }

  private revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (!grant) return;
    grant.revoked = true;
    if (grant.refreshToken !== null) this.refreshTokens.delete(grant.refreshToken);
    for (const record of this.accessTokens.values()) if (record.grantId === grantId) record.revoked = true;
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Twitch-looking token: lowercase letters and digits. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Like Twitch's refresh tokens, with '%', '/' and '=' in it: clients must form-encode it. */
function randomRefreshToken(): string {
  return `${randomToken(40)}%${randomToken(8)}/${randomToken(6)}=`;
}
