/**
 * The streamers' Twitch tokens at rest (AES-256-GCM, see src/crypto/token-cipher.ts) and everything
 * that changes them: storing a new link, refreshing after a 401, and ending a link. Plain tokens
 * exist only in memory, never in logs, errors or GraphQL.
 *
 * Each value is sealed for its place (twitch_credentials, its column, the streamer id): a value
 * copied into another streamer's row or the other column does not decrypt, and the streamer is
 * then treated as not linked (TwitchNotLinkedError, logged) rather than given someone's token.
 *
 * Refreshing is serialised twice: in-process by createRefreshingTokenSource (one refresh per
 * streamer however many requests got a 401), across instances by a row lock on the streamer's
 * twitch_credentials row. Under the lock the stored pair is read again: when another instance
 * has rotated it already, its tokens are used and Twitch is not asked again (Twitch rotates
 * refresh tokens, so a second refresh with the old one would fail and look like a revocation).
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import { TwitchNotLinkedError } from '../../errors/domain-errors';
import type { Prisma } from '../../generated/prisma/client';
import {
  createRefreshingTokenSource,
  TwitchAuthError,
  type RefreshingTokenSource,
  type TokenSource,
  type TwitchAuthClient,
  type TwitchTokenSet,
} from '../api';
import { TokenCipherError, type SealBinding, type TokenCipher } from '../../crypto/token-cipher';

/** Why a link ended: Twitch no longer accepts the tokens, or the streamer unlinked on purpose. */
export type TwitchUnlinkReason = 'TOKEN_REVOKED' | 'UNLINKED';

export interface StoredTwitchTokens {
  accessToken: string;
  refreshToken: string;
  scopes: string[];
  expiresAt: Date | null;
  validatedAt: Date | null;
}

export interface TwitchCredentialStoreDeps {
  db: Db;
  cipher: TokenCipher;
  auth: TwitchAuthClient;
  logger: Logger;
  /** Called after an ending link has committed (stop the raffle, drop caches); must not reject. */
  onUnlinked(streamerId: string, reason: TwitchUnlinkReason): Promise<void>;
  /** Inside the transaction that ends a link: end the dashboard sessions of the account it was linked to. */
  endSessionsInTx?(tx: Tx, twitchUserId: string): Promise<unknown>;
  /** A cached token pair is read again from the database after this long; default 60 s. */
  reloadAfterMs?: number;
}

type Tx = Prisma.TransactionClient;

interface LockedRow {
  access_token_enc: string;
  refresh_token_enc: string;
}

export type TwitchTokenColumn = 'access_token_enc' | 'refresh_token_enc';

/** Where a token lives: the authenticated data of its ciphertext. */
export function twitchTokenBinding(streamerId: string, column: TwitchTokenColumn): SealBinding {
  return { table: 'twitch_credentials', column, rowId: streamerId };
}

type RotateOutcome = { kind: 'tokens'; tokens: TwitchTokenSet } | { kind: 'unlinked' } | { kind: 'missing' };

/** Twitch answers a refresh with a dead grant by 400 "Invalid refresh token" (dev.twitch.tv, refresh tokens). */
function refreshTokenRejected(error: unknown): boolean {
  return error instanceof TwitchAuthError && error.status === 400 && /invalid refresh token/i.test(error.twitchMessage);
}

/** Interactive transactions that wait for Twitch (refresh, revoke) under a row lock. */
const LOCKED_TX = { maxWait: 10_000, timeout: 30_000 } as const;

export class TwitchCredentialStore {
  private readonly sources = new Map<string, { source: Promise<RefreshingTokenSource>; loadedAt: number }>();
  private readonly reloadAfterMs: number;

  constructor(private readonly deps: TwitchCredentialStoreDeps) {
    this.reloadAfterMs = deps.reloadAfterMs ?? 60_000;
  }

  /** The decrypted tokens, or null when the streamer is not linked. Re-seals them with the primary key when needed. */
  async read(streamerId: string): Promise<StoredTwitchTokens | null> {
    const { db, cipher } = this.deps;
    const row = await db.twitchCredential.findUnique({ where: { streamerId } });
    if (!row) return null;
    const pair = this.open(streamerId, row.accessTokenEnc, row.refreshTokenEnc);
    const tokens: StoredTwitchTokens = {
      ...pair,
      scopes: row.scopes,
      expiresAt: row.expiresAt,
      validatedAt: row.validatedAt,
    };
    if (cipher.needsReencryption(row.accessTokenEnc) || cipher.needsReencryption(row.refreshTokenEnc)) {
      // Conditional on the old values, so a concurrent refresh is never overwritten.
      const resealed = await db.twitchCredential.updateMany({
        where: { streamerId, accessTokenEnc: row.accessTokenEnc, refreshTokenEnc: row.refreshTokenEnc },
        data: this.seal(streamerId, tokens),
      });
      if (resealed.count === 1) this.deps.logger.info({ streamerId }, 'twitch tokens re-encrypted (primary key, bound to their row)');
    }
    return tokens;
  }

  /** Creates or replaces the streamer's tokens inside the caller's transaction. */
  async write(tx: Tx, streamerId: string, tokens: TwitchTokenSet, validatedAt: Date | null): Promise<void> {
    const data = {
      ...this.seal(streamerId, tokens),
      scopes: tokens.scopes,
      expiresAt: tokens.expiresIn === null ? null : new Date(Date.now() + tokens.expiresIn * 1000),
      validatedAt,
    };
    await tx.twitchCredential.upsert({ where: { streamerId }, create: { streamerId, ...data }, update: data });
  }

  /**
   * What Helix calls for this streamer use: the stored access token, and a refresh after a 401
   * (single flight in-process, row lock across instances). Throws TwitchNotLinkedError when the
   * streamer has no tokens or Twitch refuses to refresh them (the link is then ended).
   */
  tokenSource(streamerId: string): TokenSource {
    return {
      getAccessToken: async () => (await this.sourceOf(streamerId)).getAccessToken(),
      refreshAccessToken: async (rejectedToken) => {
        try {
          return await (await this.sourceOf(streamerId)).refreshAccessToken(rejectedToken);
        } catch (error) {
          if (error instanceof TwitchNotLinkedError) this.forget(streamerId);
          throw error;
        }
      },
    };
  }

  /** Records a successful /oauth2/validate. */
  async markValidated(streamerId: string, validation: { scopes: string[]; expiresIn: number }): Promise<void> {
    await this.deps.db.twitchCredential.updateMany({
      where: { streamerId },
      data: {
        validatedAt: new Date(),
        scopes: validation.scopes,
        expiresAt: new Date(Date.now() + validation.expiresIn * 1000),
      },
    });
  }

  /**
   * Ends the link on purpose: revokes the access token at Twitch (best effort: the tokens are
   * deleted whatever Twitch answers) and deletes them. False when there was no link.
   */
  async unlink(streamerId: string): Promise<boolean> {
    const { db, cipher, auth, logger } = this.deps;
    const ended = await db.$transaction(async (tx) => {
      const row = await this.lockRow(tx, streamerId);
      if (!row) return false;
      try {
        const { revoked } = await auth.revoke(cipher.decrypt(row.access_token_enc, twitchTokenBinding(streamerId, 'access_token_enc')));
        if (!revoked) logger.info({ streamerId }, 'twitch access token was already invalid when unlinking');
      } catch (error) {
        logger.warn({ streamerId, err: describe(error) }, 'could not revoke the twitch token; deleting it anyway');
      }
      return this.endLinkInTx(tx, streamerId, 'UNLINKED');
    }, LOCKED_TX);
    // Waits for the running raffle to end, so the caller sees the streamer as it now is.
    if (ended) await this.linkEnded(streamerId, 'UNLINKED');
    return ended;
  }

  /**
   * Ends a link inside the caller's transaction: tokens gone, reason kept, and every dashboard
   * session of the account ended. A guild's streamer frees the Twitch user id (the account may
   * move to another server); a Twitch-only streamer keeps it, since the channel is what it is
   * (its owner logs in again and reconnects the same streamer).
   */
  async endLinkInTx(tx: Tx, streamerId: string, reason: TwitchUnlinkReason): Promise<boolean> {
    const deleted = await tx.twitchCredential.deleteMany({ where: { streamerId } });
    if (deleted.count === 0) return false;
    const before = await tx.streamer.findUniqueOrThrow({ where: { id: streamerId }, select: { guildId: true, twitchUserId: true } });
    await tx.streamer.update({
      where: { id: streamerId },
      data: { ...(before.guildId === null ? {} : { twitchUserId: null }), twitchUnlinkedAt: new Date(), twitchUnlinkedReason: reason },
    });
    if (before.twitchUserId !== null) await this.deps.endSessionsInTx?.(tx, before.twitchUserId);
    return true;
  }

  /** Drops the cached tokens of a streamer (after linking again, or when the link ended). */
  forget(streamerId: string): void {
    this.sources.delete(streamerId);
  }

  /** Call after a transaction that ended a link has committed. */
  linkEnded(streamerId: string, reason: TwitchUnlinkReason): Promise<void> {
    this.forget(streamerId);
    this.deps.logger.warn({ streamerId, reason }, 'twitch link ended');
    return this.deps.onUnlinked(streamerId, reason);
  }

  private sourceOf(streamerId: string): Promise<RefreshingTokenSource> {
    const cached = this.sources.get(streamerId);
    if (cached && Date.now() - cached.loadedAt < this.reloadAfterMs) return cached.source;
    const source = this.read(streamerId).then((stored) => {
      if (!stored) throw new TwitchNotLinkedError();
      const refreshing: RefreshingTokenSource = createRefreshingTokenSource({
        accessToken: stored.accessToken,
        refreshToken: stored.refreshToken,
        // Called while `current()` still holds the rejected pair.
        refresh: (refreshToken) => this.rotate(streamerId, { accessToken: refreshing.current().accessToken, refreshToken }),
      });
      return refreshing;
    });
    const entry = { source, loadedAt: Date.now() };
    this.sources.set(streamerId, entry);
    source.catch(() => {
      if (this.sources.get(streamerId) === entry) this.sources.delete(streamerId);
    });
    return source;
  }

  /** Refreshes the stored pair under the row lock, unless another instance already did. */
  private async rotate(streamerId: string, held: { accessToken: string; refreshToken: string }): Promise<TwitchTokenSet> {
    const { db, auth, logger } = this.deps;
    const outcome = await db.$transaction(async (tx): Promise<RotateOutcome> => {
      const row = await this.lockRow(tx, streamerId);
      if (!row) return { kind: 'missing' };
      const stored = this.open(streamerId, row.access_token_enc, row.refresh_token_enc);
      if (stored.accessToken !== held.accessToken) {
        logger.debug({ streamerId }, 'twitch tokens were rotated meanwhile; using the stored ones');
        // Only the pair matters to the token source; expiry and scopes stay as stored.
        return { kind: 'tokens', tokens: { ...stored, expiresIn: null, scopes: [], tokenType: 'bearer' } };
      }
      let tokens: TwitchTokenSet;
      try {
        tokens = await auth.refresh(stored.refreshToken);
      } catch (error) {
        if (!refreshTokenRejected(error)) throw error;
        await this.endLinkInTx(tx, streamerId, 'TOKEN_REVOKED');
        return { kind: 'unlinked' };
      }
      await this.write(tx, streamerId, tokens, null);
      logger.info({ streamerId }, 'twitch access token refreshed');
      return { kind: 'tokens', tokens };
    }, LOCKED_TX);
    if (outcome.kind === 'tokens') return outcome.tokens;
    if (outcome.kind === 'unlinked') {
      // Not awaited: the caller may be the very round that has to end.
      void this.linkEnded(streamerId, 'TOKEN_REVOKED');
      throw new TwitchAuthorizationRevokedError();
    }
    throw new TwitchNotLinkedError();
  }

  private seal(streamerId: string, tokens: { accessToken: string; refreshToken: string }) {
    const { cipher } = this.deps;
    return {
      accessTokenEnc: cipher.encrypt(tokens.accessToken, twitchTokenBinding(streamerId, 'access_token_enc')),
      refreshTokenEnc: cipher.encrypt(tokens.refreshToken, twitchTokenBinding(streamerId, 'refresh_token_enc')),
    };
  }

  /**
   * Decrypts a stored pair. A pair that does not decrypt here (moved from another row or column,
   * tampered, or sealed by a key no longer configured) is never used: the streamer counts as not
   * linked until it links again (or the missing key is configured again); the row is kept so a
   * key misconfiguration loses nothing.
   */
  private open(streamerId: string, accessTokenEnc: string, refreshTokenEnc: string): { accessToken: string; refreshToken: string } {
    const { cipher, logger } = this.deps;
    try {
      return {
        accessToken: cipher.decrypt(accessTokenEnc, twitchTokenBinding(streamerId, 'access_token_enc')),
        refreshToken: cipher.decrypt(refreshTokenEnc, twitchTokenBinding(streamerId, 'refresh_token_enc')),
      };
    } catch (error) {
      if (!(error instanceof TokenCipherError)) throw error;
      logger.error({ streamerId, err: error.message }, 'stored twitch tokens do not decrypt for this streamer; treating it as not linked');
      throw new TwitchTokensUnreadableError();
    }
  }

  private async lockRow(tx: Tx, streamerId: string): Promise<LockedRow | undefined> {
    const rows = await tx.$queryRaw<LockedRow[]>`
      SELECT access_token_enc, refresh_token_enc FROM twitch_credentials WHERE streamer_id = ${streamerId} FOR UPDATE`;
    return rows[0];
  }
}

/** The link just ended because Twitch refused to refresh the tokens (a TwitchNotLinkedError to callers). */
export class TwitchAuthorizationRevokedError extends TwitchNotLinkedError {
  override name = 'TwitchNotLinkedError';
  constructor() {
    super("Twitch no longer accepts this streamer's authorization (revoked or disconnected): link again with /link");
  }
}

/** The stored tokens cannot be used (see TwitchCredentialStore.open): a TwitchNotLinkedError to callers. */
export class TwitchTokensUnreadableError extends TwitchNotLinkedError {
  override name = 'TwitchNotLinkedError';
  constructor() {
    super("This streamer's stored Twitch authorization cannot be read: link again with /link");
  }
}

/** Error text safe for logs: the auth client's errors never carry tokens. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
