/**
 * Linking a Discord guild's streamer to a Twitch account (OAuth2 authorization code flow,
 * dev.twitch.tv/docs/authentication/getting-tokens-oauth/#authorization-code-grant-flow).
 *
 * The `state` is the capability: 32 random bytes, single use, valid 10 minutes, bound to the
 * guild (and the Discord user) that asked. Only its SHA-256 is stored, in the database, so any
 * instance can complete the flow. Completing calls Twitch first (code exchange, granted scopes,
 * Get Users) and then writes everything in ONE transaction that also consumes the state, so a
 * failure anywhere leaves nothing half-written.
 *
 * The link is also bound to ONE browser (security review, issue 10 item 3): `start` hands out our
 * start page (/auth/twitch/start), never Twitch's authorize URL. That page names the Discord
 * server and the scopes; its button (`bind`) stores the SHA-256 of a fresh random binding token
 * on the state, puts the token in that browser's cookie and only then sends it to Twitch, with
 * force_verify=true so Twitch shows its consent page even to someone who approved the app before.
 * `complete` refuses a state whose binding the caller cannot show (BROWSER_MISMATCH) before it
 * spends the code: an authorize URL sent to a streamer by someone else's /link comes back to a
 * browser without the cookie and links nothing.
 *
 * The binding is required unless the caller says otherwise (`requireBinding: false`): only the
 * completeTwitchLink mutation does, when it is called without `binding`, as the published contract
 * has it (code + state). There the code is the capability: Twitch only sends it to our redirect
 * URI, i.e. to the browser at the callback, which refuses a browser without the cookie and does
 * not spend the code, so holding a state alone links nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import { TwitchLinkError, TwitchNotConfiguredError, ValidationError, type FieldProblem } from '../../errors/domain-errors';
import { Prisma, type Streamer } from '../../generated/prisma/client';
import type { OverlayKeyVault } from '../../streamers/overlay-key-vault';
import { TwitchAuthError, type HelixClient, type HelixUser, type TwitchAuthClient, type TwitchTokenSet } from '../api';
import { describe, type TwitchCredentialStore } from '../credentials/credential-store';

/**
 * Get Chatters needs moderator:read:chatters; Send Chat Message with a user access token needs
 * user:write:chat only (user:bot / channel:bot are for app access tokens), and the broadcaster
 * sends as themselves; reading the chat over EventSub (channel.chat.message with user_id =
 * broadcaster_user_id) needs user:read:chat. A link without these is refused.
 */
export const TWITCH_REQUIRED_SCOPES = ['moderator:read:chatters', 'user:write:chat', 'user:read:chat'] as const;

/**
 * Asked for too, not required: presence-mode luck reads roles (Get Broadcaster Subscriptions,
 * Get VIPs, Get Moderators). Without them such a raffle answers a ValidationError.
 */
export const TWITCH_LUCK_SCOPES = ['channel:read:subscriptions', 'channel:read:vips', 'moderation:read'] as const;

/** Everything the link asks Twitch for. */
export const TWITCH_SCOPES = [...TWITCH_REQUIRED_SCOPES, ...TWITCH_LUCK_SCOPES] as const;

export const LINK_STATE_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = '/auth/twitch/callback';
/** Our page the bot's link opens: names the server, then sends the browser on to Twitch. */
export const START_PATH = '/auth/twitch/start';

const DISCORD_ID = /^\d{5,25}$/;
/** Discord allows 2-100 characters; anything else is not a name the bot saw. */
const MAX_GUILD_NAME = 100;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** What a configured server talks to Twitch with. */
export interface TwitchLinkClients {
  auth: TwitchAuthClient;
  helix: HelixClient;
  credentials: TwitchCredentialStore;
}

export interface TwitchLinkServiceDeps {
  db: Db;
  /** Undefined when TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET are not set. */
  clients: TwitchLinkClients | undefined;
  /** PUBLIC_URL (or the local URL once the server listens), without a trailing slash. */
  publicUrl(): string;
  logger: Logger;
  /** Seals the overlay key of a streamer this flow creates. */
  overlayKeys: OverlayKeyVault;
  /** After a link committed (drop caches of the streamer). */
  onLinked?(streamerId: string): void;
  /** After unlinkTwitch: the Twitch user the streamer was linked to (their dashboard sessions end). */
  onUnlinked?(twitchUserId: string): Promise<unknown>;
}

export interface LinkStarted {
  /** Our start page (START_PATH) with the state; the only way on to Twitch. */
  authorizeUrl: string;
  expiresAt: Date;
}

/** What the start page shows about a pending link. */
export interface PendingLink {
  guildId: string;
  guildName: string | null;
  scopes: readonly string[];
  expiresAt: Date;
}

/** The start page's button: the browser gets `binding` in its cookie and goes to `authorizeUrl`. */
export interface LinkBound {
  binding: string;
  /** Twitch's authorize URL, with force_verify=true. */
  authorizeUrl: string;
  expiresAt: Date;
}

export interface LinkCompleted {
  streamer: Streamer;
  guildName: string | null;
  /** True when a logged-in person connected their own channel (the dashboard), not a Discord /link. */
  connectedByPerson: boolean;
}

export interface CompleteLinkInput {
  code: string | null | undefined;
  state: string | null | undefined;
  /** The binding token the start page put in the browser's cookie. */
  binding: string | null | undefined;
  /**
   * Whether `binding` must match the one the start page stored (default true: the callback).
   * False only for the mutation called without a binding: then code + state link, whoever
   * pressed the start page's button.
   */
  requireBinding?: boolean;
  /** When given, the state must have been started for this guild (and Discord user). */
  guildId?: string | null;
  discordUserId?: string | null;
}

export function hashState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

const LINK_TX = { maxWait: 10_000, timeout: 20_000 } as const;

export class TwitchLinkService {
  constructor(private readonly deps: TwitchLinkServiceDeps) {}

  get configured(): boolean {
    return this.deps.clients !== undefined;
  }

  async start(input: { guildId: string; discordUserId?: string | null; guildName?: string | null }): Promise<LinkStarted> {
    this.requireClients();
    const problems: FieldProblem[] = [];
    const guildName = input.guildName?.trim() || null;
    if (guildName !== null && (guildName.length > MAX_GUILD_NAME || CONTROL_CHARACTERS.test(guildName))) {
      problems.push({ path: ['guildName'], message: `guildName must be the Discord server's name (at most ${MAX_GUILD_NAME} characters)` });
    }
    if (!DISCORD_ID.test(input.guildId)) problems.push({ path: ['guildId'], message: 'guildId must be a Discord id (digits only)' });
    if (input.discordUserId != null && !DISCORD_ID.test(input.discordUserId)) {
      problems.push({ path: ['discordUserId'], message: 'discordUserId must be a Discord id (digits only)' });
    }
    if (problems.length > 0) throw new ValidationError(problems);

    const state = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + LINK_STATE_TTL_MS);
    const { db } = this.deps;
    await db.twitchLinkState.create({
      data: { stateHash: hashState(state), guildId: input.guildId, guildName, discordUserId: input.discordUserId ?? null, expiresAt },
    });
    // Housekeeping: states are worthless a while after they expire.
    await db.twitchLinkState.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 24 * 3_600_000) } } });
    const startUrl = new URL(`${this.deps.publicUrl()}${START_PATH}`);
    startUrl.searchParams.set('state', state);
    return { authorizeUrl: startUrl.toString(), expiresAt };
  }

  /**
   * "Connect my channel" on the dashboard: a link for the logged-in person's own Twitch channel,
   * bound at once to their browser (the route that calls this already knows the session, so no
   * start page is needed) and to their Twitch account: `complete` refuses another account
   * (WRONG_ACCOUNT). Completing creates their Twitch-only streamer, or refreshes the tokens of
   * the one that already has this channel (a guild's too).
   */
  async startForPerson(personTwitchUserId: string): Promise<LinkBound> {
    const { auth } = this.requireClients();
    const state = randomBytes(32).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + LINK_STATE_TTL_MS);
    await this.deps.db.twitchLinkState.create({
      data: { stateHash: hashState(state), guildId: null, personTwitchUserId, bindingHash: hashState(binding), expiresAt },
    });
    const authorizeUrl = auth.authorizeUrl({ redirectUri: this.redirectUri(), scopes: TWITCH_SCOPES, state, forceVerify: true });
    return { binding, authorizeUrl, expiresAt };
  }

  /** What the start page shows; throws TwitchLinkError for an unknown, used or expired state. */
  async describe(state: string | null | undefined): Promise<PendingLink> {
    this.requireClients();
    const pending = await this.findUsable(state);
    if (pending.guildId === null) throw notADiscordLink();
    return { guildId: pending.guildId, guildName: pending.guildName, scopes: TWITCH_SCOPES, expiresAt: pending.expiresAt };
  }

  /**
   * The start page's button: binds the state to a fresh random token (only its SHA-256 is
   * stored) and answers Twitch's authorize URL. Pressing it again (same or another browser, the
   * page is the only way here) binds anew: the last browser that pressed it may finish.
   */
  async bind(state: string | null | undefined): Promise<LinkBound> {
    const { auth } = this.requireClients();
    const pending = await this.findUsable(state);
    // A person's link is bound when it starts; the start page is for Discord links only.
    if (pending.guildId === null) throw notADiscordLink();
    const binding = randomBytes(32).toString('base64url');
    const bound = await this.deps.db.$executeRaw`
      UPDATE twitch_link_states SET binding_hash = ${hashState(binding)}
      WHERE state_hash = ${pending.stateHash} AND used_at IS NULL AND expires_at > now()`;
    if (bound !== 1) throw expiredState();
    const authorizeUrl = auth.authorizeUrl({ redirectUri: this.redirectUri(), scopes: TWITCH_SCOPES, state: state!, forceVerify: true });
    return { binding, authorizeUrl, expiresAt: pending.expiresAt };
  }

  /** Exchanges the code and links the guild's streamer (created when missing). Throws TwitchLinkError. */
  async complete(input: CompleteLinkInput): Promise<LinkCompleted> {
    const { auth, helix, credentials } = this.requireClients();
    const { db, logger } = this.deps;
    const pending = await this.findUsable(input.state);
    const { stateHash } = pending;
    // Before the code is spent: a browser that did not press this link's start page button (the
    // attack: someone else's /link sent to a streamer who approved the app before) links nothing.
    const requireBinding = input.requireBinding ?? true;
    const bindingHash = input.binding ? hashState(input.binding) : null;
    if (requireBinding && (pending.bindingHash === null || bindingHash !== pending.bindingHash)) {
      // The link ends here: its code reached a browser it is not bound to. So whoever is handed
      // that callback URL afterwards ("it gave an error, look") cannot finish it through the
      // mutation with code + state; the streamer starts again with /link.
      await db.$executeRaw`UPDATE twitch_link_states SET used_at = now() WHERE state_hash = ${stateHash} AND used_at IS NULL`;
      throw browserMismatch();
    }
    if (input.guildId && input.guildId !== pending.guildId) {
      throw new TwitchLinkError('GUILD_MISMATCH', 'This link was started for another Discord server: start again with /link there.');
    }
    if (input.discordUserId && pending.discordUserId && input.discordUserId !== pending.discordUserId) {
      throw new TwitchLinkError('GUILD_MISMATCH', 'This link was started by another Discord user: start your own with /link.');
    }
    if (!input.code) {
      throw new TwitchLinkError('EXCHANGE_FAILED', 'Twitch sent no authorization code: start again with /link in Discord.');
    }

    const tokens = await this.exchange(auth, input.code);
    const missing = TWITCH_REQUIRED_SCOPES.filter((scope) => !tokens.scopes.includes(scope));
    if (missing.length > 0) {
      await this.revokeQuietly(auth, tokens, 'missing scopes');
      throw new TwitchLinkError(
        'MISSING_SCOPES',
        `Twitch granted the app without ${missing.join(', ')}: start again with /link and approve every permission asked for.`,
      );
    }
    const user = await this.currentUser(helix, tokens);
    const personTwitchUserId = pending.personTwitchUserId;
    if (personTwitchUserId !== null && user.id !== personTwitchUserId) {
      await this.revokeQuietly(auth, tokens, 'wrong account');
      // The link ends here; the person starts again from the dashboard.
      await db.$executeRaw`UPDATE twitch_link_states SET used_at = now() WHERE state_hash = ${stateHash} AND used_at IS NULL`;
      logger.info({ expected: personTwitchUserId, got: user.id }, 'twitch connect authorized with another account');
      throw new TwitchLinkError(
        'WRONG_ACCOUNT',
        `You authorized as ${user.login} on Twitch, but you are logged in on the dashboard as someone else: ` +
          'log out of Twitch (or switch account there) and connect your channel again.',
      );
    }

    let streamer: Streamer;
    try {
      streamer = await db.$transaction(async (tx) => {
        // bindingHash is never null here when required (checked above): `binding_hash = NULL` would
        // match no row at all; unrequired, the binding is not looked at.
        const sameBrowser = requireBinding ? Prisma.sql`AND binding_hash = ${bindingHash}` : Prisma.empty;
        const consumed = await tx.$executeRaw`
          UPDATE twitch_link_states SET used_at = now()
          WHERE state_hash = ${stateHash} ${sameBrowser} AND used_at IS NULL AND expires_at > now()`;
        if (consumed !== 1) {
          // Used, expired or (when required) bound to another browser while we talked to Twitch.
          const current = await tx.twitchLinkState.findUniqueOrThrow({ where: { stateHash } });
          if (current.usedAt) throw usedState();
          if (requireBinding && current.bindingHash !== bindingHash) throw browserMismatch();
          throw expiredState();
        }
        const holder = await tx.streamer.findUnique({
          where: { twitchUserId: user.id },
          select: { id: true, guildId: true, credential: { select: { streamerId: true } } },
        });
        const identity = {
          twitchUserId: user.id,
          login: user.login,
          displayName: user.displayName,
          twitchUnlinkedAt: null,
          twitchUnlinkedReason: null,
        };
        if (pending.guildId === null) {
          // The person's own channel: the streamer that has it (Twitch-only or a guild's), else a new Twitch-only one.
          const connected = holder
            ? await tx.streamer.update({ where: { id: holder.id }, data: identity })
            : await tx.streamer.create({ data: { guildId: null, ...this.deps.overlayKeys.newStreamer(), ...identity } });
          await credentials.write(tx, connected.id, tokens, new Date());
          return connected;
        }
        const guildId = pending.guildId;
        if (holder && holder.guildId === null) {
          // Discord meets a Twitch-only streamer: the guild joins it (no second streamer).
          const joined = await attachGuild(tx, holder.id, guildId, user.login);
          const linked = await tx.streamer.update({ where: { id: joined }, data: identity });
          await credentials.write(tx, linked.id, tokens, new Date());
          return linked;
        }
        if (holder && holder.guildId !== guildId) {
          if (holder.credential) {
            throw new TwitchLinkError(
              'ALREADY_LINKED_ELSEWHERE',
              `The Twitch account ${user.login} is linked to another Discord server: unlink it there first.`,
            );
          }
          // That link ended (revoked or unlinked): the account is free to move.
          await tx.streamer.update({ where: { id: holder.id }, data: { twitchUserId: null } });
        }
        const linked = await tx.streamer.upsert({
          where: { guildId },
          create: { guildId, ...this.deps.overlayKeys.newStreamer(), ...identity },
          update: identity,
        });
        await credentials.write(tx, linked.id, tokens, new Date());
        return linked;
      }, LINK_TX);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        // A unique key was taken meanwhile: another guild linked the same Twitch account at the
        // same moment (anything else is unexpected and goes up as it is).
        const holder = await db.streamer.findUnique({ where: { twitchUserId: user.id }, select: { guildId: true } });
        if (holder && pending.guildId !== null && holder.guildId !== null && holder.guildId !== pending.guildId) {
          throw new TwitchLinkError(
            'ALREADY_LINKED_ELSEWHERE',
            `The Twitch account ${user.login} is linked to another Discord server: unlink it there first.`,
          );
        }
      }
      throw error;
    }
    credentials.forget(streamer.id);
    this.deps.onLinked?.(streamer.id);
    logger.info({ streamerId: streamer.id, guildId: streamer.guildId, twitchLogin: user.login }, 'twitch account linked');
    return { streamer, guildName: pending.guildName, connectedByPerson: pending.guildId === null };
  }

  /** Revokes the tokens at Twitch and deletes them; the streamer stays, unlinked. */
  async unlink(streamerId: string): Promise<void> {
    const { credentials } = this.requireClients();
    const before = await this.deps.db.streamer.findUnique({ where: { id: streamerId }, select: { twitchUserId: true } });
    await credentials.unlink(streamerId);
    if (before?.twitchUserId) await this.deps.onUnlinked?.(before.twitchUserId);
  }

  private redirectUri(): string {
    return `${this.deps.publicUrl()}${CALLBACK_PATH}`;
  }

  private async findUsable(state: string | null | undefined) {
    if (!state) throw new TwitchLinkError('INVALID_STATE', 'The link has no state: start again with /link in Discord.');
    const pending = await this.deps.db.twitchLinkState.findUnique({ where: { stateHash: hashState(state) } });
    if (!pending) throw new TwitchLinkError('INVALID_STATE', 'This link is not valid: start again with /link in Discord.');
    assertUsable(pending);
    return pending;
  }

  private requireClients(): TwitchLinkClients {
    if (!this.deps.clients) throw new TwitchNotConfiguredError();
    return this.deps.clients;
  }

  private async exchange(auth: TwitchAuthClient, code: string): Promise<TwitchTokenSet> {
    try {
      return await auth.exchangeCode(code, this.redirectUri());
    } catch (error) {
      if (!(error instanceof TwitchAuthError)) throw error;
      this.deps.logger.warn({ status: error.status, err: error.message }, 'twitch code exchange failed');
      throw new TwitchLinkError(
        'EXCHANGE_FAILED',
        error.retryable
          ? `Twitch did not answer the sign-in (${error.status ?? 'no response'}): try again in a moment with /link.`
          : 'Twitch did not accept the authorization code (expired or already used): start again with /link in Discord.',
      );
    }
  }

  private async currentUser(helix: HelixClient, tokens: TwitchTokenSet): Promise<HelixUser> {
    try {
      const [user] = await helix.getUsers(tokens.accessToken);
      if (user) return user;
    } catch (error) {
      this.deps.logger.warn({ err: describe(error) }, 'twitch get users failed while linking');
    }
    throw new TwitchLinkError('EXCHANGE_FAILED', 'Could not read your Twitch account: try again in a moment with /link.');
  }

  private async revokeQuietly(auth: TwitchAuthClient, tokens: TwitchTokenSet, why: string): Promise<void> {
    try {
      await auth.revoke(tokens.accessToken);
    } catch (error) {
      this.deps.logger.warn({ err: describe(error), why }, 'could not revoke an unused twitch token');
    }
  }
}

type Tx = Prisma.TransactionClient;

/**
 * Joins the Discord server `guildId` to the Twitch-only streamer `streamerId`. The server's own
 * streamer (the bot registers one before /link) must not hold a working link to another account;
 * its prizes, raffles and editors move over and it is deleted, so the server has one streamer.
 * Returns the streamer id, now the server's.
 */
async function attachGuild(tx: Tx, streamerId: string, guildId: string, login: string): Promise<string> {
  const own = await tx.streamer.findUnique({
    where: { guildId },
    select: { id: true, announceChannelId: true, credential: { select: { streamerId: true } }, editors: true },
  });
  if (own) {
    if (own.credential) {
      throw new TwitchLinkError(
        'ALREADY_LINKED_ELSEWHERE',
        `The Twitch account ${login} already has its own streamer, and this Discord server is linked to another Twitch account: unlink that one first.`,
      );
    }
    await tx.item.updateMany({ where: { streamerId: own.id }, data: { streamerId } });
    await tx.raffle.updateMany({ where: { streamerId: own.id }, data: { streamerId } });
    if (own.editors.length > 0) {
      await tx.streamerEditor.createMany({
        data: own.editors.map((editor) => ({ streamerId, twitchUserId: editor.twitchUserId, login: editor.login, addedAt: editor.addedAt })),
        skipDuplicates: true,
      });
    }
    await tx.streamer.delete({ where: { id: own.id } });
  }
  const target = await tx.streamer.findUniqueOrThrow({ where: { id: streamerId }, select: { announceChannelId: true } });
  await tx.streamer.update({
    where: { id: streamerId },
    data: { guildId, announceChannelId: target.announceChannelId ?? own?.announceChannelId ?? null },
  });
  return streamerId;
}

function notADiscordLink(): TwitchLinkError {
  return new TwitchLinkError('INVALID_STATE', 'This link is not a Discord server\'s: connect your channel again from the dashboard.');
}

function assertUsable(state: { usedAt: Date | null; expiresAt: Date }): void {
  if (state.usedAt) throw usedState();
  if (state.expiresAt.getTime() <= Date.now()) throw expiredState();
}

function usedState(): TwitchLinkError {
  return new TwitchLinkError('USED_STATE', 'This link was already used: start again with /link in Discord.');
}

/** The fixed answer for a browser that is not the one that pressed the start page's button. */
export const BROWSER_MISMATCH_MESSAGE =
  'Open the link from the same browser where you opened the Discord link, and finish there: start again with /link in Discord.';

function browserMismatch(): TwitchLinkError {
  return new TwitchLinkError('BROWSER_MISMATCH', BROWSER_MISMATCH_MESSAGE);
}

function expiredState(): TwitchLinkError {
  return new TwitchLinkError('EXPIRED_STATE', 'This link expired (links last 10 minutes): start again with /link in Discord.');
}
