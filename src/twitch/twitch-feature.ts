/**
 * Twitch in the product, built once per app by createApp: the link flow, the token store and its
 * validation loop, the chatter source the rounds use, the chat announcer for the outbox and the
 * OAuth callback route. Without TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET only the link service
 * exists (it answers TwitchNotConfiguredError) and the app runs its in-memory demo chat.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ChatterSource } from '../chatters/chatter';
import { twitchConfigured, type Config } from '../config/config';
import type { Db } from '../db/database';
import type { Streamer } from '../generated/prisma/client';
import type { OutboxHandler } from '../outbox/outbox-worker';
import type { RoundRunner } from '../raffles/round-runner';
import { createHelixClient, type HelixClient } from './helix.client';
import { createTokenCipher } from './token-cipher';
import { TwitchTokenValidator } from './token-validator';
import { TWITCH_CHAT_CHANNEL, twitchChatAnnouncer } from './twitch-announcement';
import { createTwitchAuthClient, type TwitchAuthClient } from './twitch-auth.client';
import { twitchCallbackRoutes } from './twitch-callback.route';
import { TwitchChatterSource } from './twitch-chatter-source';
import { TwitchCredentialStore } from './twitch-credentials';
import type { FetchLike } from './twitch-http';
import { CALLBACK_PATH, TwitchLinkService } from './twitch-link.service';
import { endRafflesOfUnlinkedStreamer } from './unlinked-raffles';

export interface TwitchFeatureDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** PUBLIC_URL, or the local URL once the server listens. */
  publicUrl(): string;
  /** The app's round runner (built after the chatter source, hence late). */
  rounds(): Pick<RoundRunner, 'run'>;
  fetch?: FetchLike;
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
}

export interface TwitchFeature {
  configured: boolean;
  link: TwitchLinkService;
  runtime: TwitchRuntime | undefined;
  /** The OAuth callback page (a Fastify plugin, registered among the rate-limited /auth routes). */
  routes: FastifyPluginAsync;
  /** Undefined when Twitch is not configured (the app uses its demo chat). */
  chatterSource: ChatterSource | undefined;
  outboxHandlers: Record<string, OutboxHandler>;
  /** The outbox rows a winning round of this streamer gets. */
  outboxChannels(streamer: Pick<Streamer, 'twitchUserId'>): string[];
  start(): void;
  stop(): Promise<void>;
}

export function createTwitchFeature(deps: TwitchFeatureDeps): TwitchFeature {
  const { config, db, logger } = deps;
  const redirectUri = () => `${deps.publicUrl()}${CALLBACK_PATH}`;
  const runtime = twitchConfigured(config) ? createRuntime(deps) : undefined;
  const link = new TwitchLinkService({
    db,
    clients: runtime,
    redirectUri,
    logger: logger.child({ component: 'link' }),
    onLinked: (streamerId) => runtime?.chatters.forget(streamerId),
  });
  return {
    configured: runtime !== undefined,
    link,
    runtime,
    routes: twitchCallbackRoutes(link, logger.child({ component: 'callback' })),
    chatterSource: runtime?.chatters,
    outboxHandlers: runtime
      ? { [TWITCH_CHAT_CHANNEL]: twitchChatAnnouncer({ db, helix: runtime.chatHelix, credentials: runtime.credentials }) }
      : {},
    // A linked streamer has a Twitch user id (ending a link clears it with the tokens).
    outboxChannels: (streamer) => (runtime && streamer.twitchUserId ? [TWITCH_CHAT_CHANNEL] : []),
    start: () => runtime?.validator.start(),
    stop: async () => {
      await runtime?.validator.stop();
      await runtime?.stopEnding();
    },
  };
}

function createRuntime(deps: TwitchFeatureDeps): TwitchRuntime & { stopEnding(): Promise<void> } {
  const { config, db, logger } = deps;
  const clientId = config.twitch.clientId!;
  const fetchOption = deps.fetch ? { fetch: deps.fetch } : {};
  const helixLogger = logger.child({ component: 'helix' });
  const auth = createTwitchAuthClient({
    authUrl: config.twitch.authUrl,
    clientId,
    clientSecret: config.twitch.clientSecret!,
    ...fetchOption,
  });
  const helix = createHelixClient({ apiUrl: config.twitch.apiUrl, clientId, logger: helixLogger, ...fetchOption });
  const chatHelix = createHelixClient({
    apiUrl: config.twitch.apiUrl,
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
    cipher: createTokenCipher(config.tokenEncryptionKeys!),
    auth,
    logger: logger.child({ component: 'tokens' }),
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
  chatters = new TwitchChatterSource({ helix, credentials, ttlMs: config.twitch.chattersCacheMs });
  const validator = new TwitchTokenValidator({
    db,
    auth,
    credentials,
    logger: logger.child({ component: 'validate' }),
    intervalMs: config.twitch.validateIntervalMs,
  });
  return {
    auth,
    helix,
    chatHelix,
    credentials,
    validator,
    chatters,
    stopEnding: async () => {
      await Promise.allSettled(ending);
    },
  };
}
