/**
 * Twitch in the product, built once per app by createApp: the link flow (link/), the token store
 * and its validation loop (credentials/), the chatter source the rounds use and the chat announcer
 * for the outbox (chat/), and the OAuth callback route. All of them talk to Twitch through the
 * generic client in api/. Without TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET (`config.twitch` is null)
 * only the link service exists (it answers TwitchNotConfiguredError) and the app runs its
 * in-memory demo chat.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ChatterSource } from '../chatters/chatter';
import type { TwitchConfig } from '../config/config';
import type { Db } from '../db/database';
import type { Prisma, Streamer } from '../generated/prisma/client';
import type { OutboxHandler } from '../outbox/outbox-worker';
import type { RoundRunner } from '../raffles/round-runner';
import { createHelixClient, createTwitchAuthClient, type FetchLike, type HelixClient, type TwitchAuthClient } from './api';
import { TwitchChatterSource } from './chat/twitch-chatter-source';
import { TWITCH_CHAT_CHANNEL, twitchChatAnnouncer } from './chat/win-announcer';
import { TWITCH_CHAT_START_CHANNEL, twitchStartAnnouncer } from './chat/start-announcer';
import { verifyUrl } from '../verify/verify-url';
import { TwitchCredentialStore } from './credentials/credential-store';
import { createTokenCipher } from '../crypto/token-cipher';
import { OverlayKeyVault } from '../streamers/overlay-key-vault';
import { TwitchTokenValidator } from './credentials/token-validator';
import { PresenceLuck } from '../entry/presence-luck';
import { ChatConsumer } from './eventsub/chat-consumer';
import { TwitchLinkService } from './link/link.service';
import { endRafflesOfUnlinkedStreamer } from './link/unlinked-raffles';
import { twitchCallbackRoutes } from './twitch-callback.route';
import { twitchConnectRoutes } from './twitch-connect.route';
import { twitchStartRoutes } from './twitch-start.route';

export interface TwitchFeatureDeps {
  /** null: Twitch is not configured. */
  twitch: TwitchConfig | null;
  /** Seal the stored tokens (the first key encrypts). */
  tokenEncryptionKeys: readonly Buffer[];
  db: Db;
  logger: Logger;
  /** This instance (the owner of chat leases). */
  instanceId: string;
  /** PUBLIC_URL, or the local URL once the server listens. */
  publicUrl(): string;
  /** The app's round runner (built after the chatter source, hence late). */
  rounds(): Pick<RoundRunner, 'run'>;
  fetch?: FetchLike;
  /** After unlinkTwitch, with the Twitch user the streamer was linked to (ends their sessions). */
  onUnlinked?(twitchUserId: string): Promise<unknown>;
  /**
   * In the transaction that ends a link (unlinked, or revoked at Twitch as the validator finds
   * it): ends every dashboard session of the Twitch account the streamer was linked to.
   */
  endSessionsInTx?(tx: Prisma.TransactionClient, twitchUserId: string): Promise<unknown>;
  /** The Twitch user id of the live dashboard session in a `Cookie` header (GET /auth/twitch/connect). */
  personOf?(cookieHeader: string | undefined): Promise<string | null>;
}

/** The Twitch clients and loops of a configured server (tests and operators reach them here). */
export interface TwitchRuntime {
  auth: TwitchAuthClient;
  /** Reads (users, chatters): retries and rate-limit pacing built in. */
  helix: HelixClient;
  /** Chat messages: one HTTP attempt per call, the outbox retries. */
  chatHelix: HelixClient;
  credentials: TwitchCredentialStore;
  validator: TwitchTokenValidator;
  chatters: TwitchChatterSource;
  /** Reads the chat of streamers with keyword raffles (EventSub), one instance per streamer. */
  chat: ChatConsumer;
  /** Presence-mode luck: chatters' roles from Helix (batched, cached), used by rounds of raffles that give a role luck. */
  luck: PresenceLuck;
}

export interface TwitchFeature {
  configured: boolean;
  link: TwitchLinkService;
  runtime: TwitchRuntime | undefined;
  /** The link's start page and OAuth callback (a Fastify plugin, registered among the rate-limited /auth routes). */
  routes: FastifyPluginAsync;
  /** Undefined when Twitch is not configured (the app uses its demo chat). */
  chatterSource: ChatterSource | undefined;
  outboxHandlers: Record<string, OutboxHandler>;
  /** The outbox rows a winning round of this streamer gets. */
  outboxChannels(streamer: Pick<Streamer, 'twitchUserId'>): string[];
  /** The outbox rows a raffle of this streamer gets when it starts (the start announcement). */
  startOutboxChannels(streamer: Pick<Streamer, 'twitchUserId'>): string[];
  start(): void;
  /** A raffle that reads chat started: take its streamer's chat lease now. */
  chatStarted(): void;
  stop(): Promise<void>;
  /** Like a crash (kill): stop without releasing chat leases. */
  abandon(): Promise<void>;
}

export function createTwitchFeature(deps: TwitchFeatureDeps): TwitchFeature {
  const { db, logger } = deps;
  const runtime = deps.twitch ? createRuntime(deps, deps.twitch) : undefined;
  const link = new TwitchLinkService({
    db,
    clients: runtime,
    publicUrl: deps.publicUrl,
    logger: logger.child({ component: 'link' }),
    overlayKeys: new OverlayKeyVault(deps.tokenEncryptionKeys),
    onLinked: (streamerId) => runtime?.chatters.forget(streamerId),
    ...(deps.onUnlinked ? { onUnlinked: deps.onUnlinked } : {}),
  });
  return {
    configured: runtime !== undefined,
    link,
    runtime,
    routes: async (app) => {
      const pages = { link, publicUrl: deps.publicUrl, authUrl: deps.twitch?.authUrl };
      await app.register(twitchStartRoutes(pages, logger.child({ component: 'link-start' })));
      await app.register(twitchCallbackRoutes(pages, logger.child({ component: 'callback' })));
      const personOf = deps.personOf ?? (async () => null);
      await app.register(twitchConnectRoutes({ link, publicUrl: deps.publicUrl, personOf }, logger.child({ component: 'connect' })));
    },
    chatterSource: runtime?.chatters,
    outboxHandlers: runtime
      ? { [TWITCH_CHAT_CHANNEL]: twitchChatAnnouncer({
          db,
          helix: runtime.chatHelix,
          credentials: runtime.credentials,
          verifyUrl: (roundId) => verifyUrl(deps.publicUrl(), String(roundId)),
        }),
        ...(deps.twitch?.startAnnouncement
          ? { [TWITCH_CHAT_START_CHANNEL]: twitchStartAnnouncer({ db, helix: runtime.chatHelix, credentials: runtime.credentials, disclaimer: deps.twitch.startAnnouncement.disclaimer }) }
          : {}) }
      : {},
    // A linked streamer has a Twitch user id (ending a link clears it with the tokens).
    outboxChannels: (streamer) => (runtime && streamer.twitchUserId ? [TWITCH_CHAT_CHANNEL] : []),
    startOutboxChannels: (streamer) => (runtime && streamer.twitchUserId && deps.twitch?.startAnnouncement ? [TWITCH_CHAT_START_CHANNEL] : []),
    start: () => {
      runtime?.validator.start();
      runtime?.chat.start();
    },
    chatStarted: () => {
      void runtime?.chat.pollNow().catch((error: unknown) => logger.warn({ err: String(error) }, 'chat poll after a raffle start failed'));
    },
    stop: async () => {
      await runtime?.chat.stop();
      await runtime?.validator.stop();
      await runtime?.stopEnding();
    },
    abandon: async () => {
      await runtime?.chat.stop({ release: false });
      await runtime?.validator.stop();
    },
  };
}

function createRuntime(deps: TwitchFeatureDeps, twitch: TwitchConfig): TwitchRuntime & { stopEnding(): Promise<void> } {
  const { db, logger } = deps;
  const { clientId } = twitch;
  const fetchOption = deps.fetch ? { fetch: deps.fetch } : {};
  const helixLogger = logger.child({ component: 'helix' });
  const auth = createTwitchAuthClient({
    authUrl: twitch.authUrl,
    clientId,
    clientSecret: twitch.clientSecret,
    ...fetchOption,
  });
  const helix = createHelixClient({ apiUrl: twitch.apiUrl, clientId, logger: helixLogger, ...fetchOption });
  const chatHelix = createHelixClient({
    apiUrl: twitch.apiUrl,
    clientId,
    logger: helixLogger,
    retry: { maxAttempts: 1 },
    ...fetchOption,
  });

  // Links that end (revoked at Twitch, or unlinked) stop their running raffle right away.
  const ending = new Set<Promise<void>>();
  let chatters: TwitchChatterSource | undefined;
  const credentials = new TwitchCredentialStore({
    db,
    cipher: createTokenCipher(deps.tokenEncryptionKeys),
    auth,
    logger: logger.child({ component: 'tokens' }),
    ...(deps.endSessionsInTx ? { endSessionsInTx: deps.endSessionsInTx } : {}),
    onUnlinked: (streamerId) => {
      chatters?.forget(streamerId);
      const task = endRafflesOfUnlinkedStreamer({ db, rounds: deps.rounds(), logger }, streamerId).catch((error: unknown) =>
        logger.error({ err: error, streamerId }, 'could not stop the raffle of an unlinked streamer'),
      );
      ending.add(task);
      void task.finally(() => ending.delete(task));
      return task;
    },
  });
  chatters = new TwitchChatterSource({ helix, credentials, ttlMs: twitch.chattersCacheMs });
  const validator = new TwitchTokenValidator({
    db,
    auth,
    credentials,
    logger: logger.child({ component: 'validate' }),
    intervalMs: twitch.validateIntervalMs,
  });
  const chat = new ChatConsumer({
    db,
    helix,
    credentials,
    logger: logger.child({ component: 'chat' }),
    instanceId: deps.instanceId,
    url: twitch.eventsub.url,
    keepaliveTimeoutSeconds: twitch.eventsub.keepaliveTimeoutSeconds,
    leaseSeconds: twitch.eventsub.leaseSeconds,
    pollMs: twitch.eventsub.pollMs,
  });
  return {
    auth,
    helix,
    chatHelix,
    credentials,
    validator,
    chatters,
    chat,
    luck: new PresenceLuck({ helix, credentials }),
    stopEnding: async () => {
      await Promise.allSettled(ending);
    },
  };
}
