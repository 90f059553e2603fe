import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createPrincipalResolver, type PrincipalResolver } from '../auth/principal-resolver';
import { createAccessDirectory } from '../auth/roles';
import type { ChatterSource } from '../chatters/chatter';
import { InMemoryChatterSource } from '../chatters/in-memory-chatter-source';
import { publicUrlOf, type ResolvedConfig } from '../config/config';
import { openDatabase, type Database } from '../db/database';
import { migrate } from '../db/migrate';
import { attachGraphQLWebSocket } from '../http/graphql-ws';
import { createLiveConnections } from '../http/live-connections';
import { ItemService } from '../items/item.service';
import { createLogger } from '../logging/logger';
import { createEventBus, type EventBus } from '../pubsub/event-bus';
import { resolveRedisTarget } from '../pubsub/redis-target';
import { RaffleScheduler, type RaffleSchedulerOptions, type SchedulerStats } from '../raffles/raffle-scheduler';
import { RaffleService } from '../raffles/raffle.service';
import { DrandBeacons } from '../raffles/drand-beacons';
import { ServerSeedVault } from '../raffles/server-seed-vault';
import { EntrantSnapshots } from '../proofs/entrant-snapshots';
import { ProofService } from '../proofs/proof.service';
import { proofRoutes } from '../proofs/proof.routes';
import { ProofRetention } from '../proofs/proof-retention';
import { RoundRunner } from '../raffles/round-runner';
import { RerollService } from '../raffles/reroll.service';
import { ClaimService } from '../raffles/claims.service';
import { OverlayKeyVault } from '../streamers/overlay-key-vault';
import { StreamerService } from '../streamers/streamer.service';
import { offlineGraphiQL } from '../http/graphiql';
import { graphqlRoutes } from '../http/graphql.routes';
import { healthRoutes } from '../http/health.routes';
import { createHttpApp } from '../http/http-app';
import { createOriginPolicy } from '../http/origins';
import { overlayRoutes } from '../overlay/overlay.routes';
import { verifyPageRoutes } from '../verify/verify-page.routes';
import { createVerifyLinks } from '../verify/verify-url';
import { dashboardRoutes } from '../dashboard/dashboard.routes';
import { roundsCsvRoutes } from '../raffles/rounds-csv.routes';
import { createGraphQLServer } from '../http/yoga';
import { kickOutboxOnWinningRound } from '../outbox/kick-on-round';
import { RaffleEvents } from '../raffles/raffle-events';
import { RoundCatchUp } from '../raffles/round-catch-up';
import { OutboxWorker } from '../outbox/outbox-worker';
import { TwitchNotConfiguredError } from '../errors/domain-errors';
import { createTwitchFeature, type TwitchFeature } from '../twitch/twitch-feature';
import { PeopleService } from '../people/people.service';
import { OverlayService } from '../overlay/overlay.service';
import { LoginStates } from '../sessions/login-state';
import { loginRoutes } from '../sessions/login.routes';
import { SESSION_COOKIE, signedCookieReader } from '../sessions/session-cookie';
import { SessionStore } from '../sessions/session.store';
import type { Services } from './services';

export interface AppOptions {
  logger?: Logger;
  /** Where rounds find chatters; default: Twitch when configured, else an in-memory demo chat. */
  chatterSource?: ChatterSource;
  /** Draws a sealed raffle's serverSeed (hex, 32 bytes); default: the CSPRNG. Tests pass a seeded one. */
  newServerSeed?: () => string;
  instanceId?: string;
  /**
   * Tests only: wraps how credentials become principals (e.g. to act as a logged-in person
   * before the login session exists). Production passes nothing.
   */
  principals?: (standard: PrincipalResolver) => PrincipalResolver;
  /** Told of every round the scheduler runs, with its due time (the capacity bench's lag). */
  onScheduledRound?: RaffleSchedulerOptions['onRound'];
}

export interface RunningApp {
  url: string;
  port: number;
  services: Services;
  /** The scheduler's counters (claim statements, claims, rounds in flight), for the capacity bench. */
  schedulerStats(): SchedulerStats;
}

export interface App {
  start(): Promise<RunningApp>;
  /** Graceful: stop scheduling, finish rounds in flight, close sockets, pub/sub and the database. */
  stop(): Promise<void>;
  /** Like a crash: drop everything without finishing or releasing anything (for takeover tests). */
  kill(): Promise<void>;
}

export function createApp(config: ResolvedConfig, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config);
  const instanceId = options.instanceId ?? `api-${randomUUID().slice(0, 8)}`;
  let database: Database | undefined;
  let events: EventBus | undefined;
  let scheduler: RaffleScheduler | undefined;
  let retention: ProofRetention | undefined;
  let outbox: OutboxWorker | undefined;
  let claims: ClaimService | undefined;
  let twitch: TwitchFeature | undefined;
  let closeHttp: (() => Promise<void>) | undefined;

  async function start(): Promise<RunningApp> {
    database = await openDatabase(config);
    const runner = await database.openSqlRunner();
    try {
      await migrate(runner, logger.child({ subsystem: 'migrate' }));
    } finally {
      await runner.close();
    }
    const pubsubLogger = logger.child({ subsystem: 'pubsub' });
    events = createEventBus(await resolveRedisTarget(config, pubsubLogger), pubsubLogger);
    const db = database.prisma;
    let listeningPort = config.http.port;
    const sessions = new SessionStore(db);
    const readCookie = signedCookieReader(config.sessionSecret);
    twitch = createTwitchFeature({
      twitch: config.twitch,
      tokenEncryptionKeys: config.tokenEncryptionKeys,
      db,
      logger: logger.child({ subsystem: 'twitch' }),
      instanceId,
      publicUrl: () => publicUrlOf(config, listeningPort),
      rounds: () => rounds,
      // A link that ends (unlinked, or revoked at Twitch) logs its owner out everywhere, in the
      // same transaction.
      endSessionsInTx: (tx, twitchUserId) => sessions.revokeAllOf(twitchUserId, tx),
      onUnlinked: (twitchUserId) => sessions.revokeAllOf(twitchUserId),
      personOf: async (cookieHeader) => {
        const id = readCookie(cookieHeader, SESSION_COOKIE);
        return id ? ((await sessions.find(id))?.twitchUserId ?? null) : null;
      },
    });
    const chatters = options.chatterSource ?? twitch.chatterSource ?? new InMemoryChatterSource();
    outbox = new OutboxWorker({
      db,
      logger: logger.child({ subsystem: 'outbox' }),
      handlers: twitch.outboxHandlers,
      ...config.outbox,
    });
    const worker = outbox;
    const raffleEvents = new RaffleEvents(events);
    raffleEvents.onRoundCommitted(kickOutboxOnWinningRound(() => worker.kick()));
    const seeds = new ServerSeedVault(config.tokenEncryptionKeys, options.newServerSeed);
    const snapshots = new EntrantSnapshots(db);
    const proofs = new ProofService(db, snapshots, seeds);
    const rounds = new RoundRunner({
      db,
      chatters,
      seeds,
      snapshots,
      drand: new DrandBeacons(config.fairness.drand, logger.child({ subsystem: 'drand' })),
      events: raffleEvents,
      logger: logger.child({ subsystem: 'rounds' }),
      instanceId,
      leaseSeconds: config.raffle.leaseSeconds,
      excludedLogins: config.raffle.excludedLogins,
      outboxChannels: (streamer) => twitch!.outboxChannels(streamer),
      luck: () => twitch?.runtime?.luck,
    });
    const streamers = new StreamerService(
      db,
      () => publicUrlOf(config, listeningPort),
      new OverlayKeyVault(config.tokenEncryptionKeys),
      logger.child({ subsystem: 'streamers' }),
    );
    await streamers.sealOverlayKeys();
    const origins = createOriginPolicy(config, () => listeningPort);
    const principals = createPrincipalResolver({
      apiToken: config.apiToken,
      findStreamerIdByOverlayKey: (key) => streamers.findIdByOverlayKey(key),
      findPersonBySessionCookie: async (cookieHeader) => {
        const id = readCookie(cookieHeader, SESSION_COOKIE);
        return id ? ((await sessions.find(id))?.twitchUserId ?? null) : null;
      },
      allowsOrigin: (origin) => origins.allows(origin),
    });
    const twitchRuntime = twitch.runtime;
    const people = new PeopleService({
      db,
      findTwitchUser: async (streamerId, login) => {
        if (!twitchRuntime) throw new TwitchNotConfiguredError();
        const [user] = await twitchRuntime.helix.getUsers(twitchRuntime.credentials.tokenSource(streamerId), { logins: [login] });
        return user ? { id: user.id, login: user.login } : null;
      },
    });
    const live = createLiveConnections({ limits: config.liveConnections, events, logger });
    const rerolls = new RerollService({ db, rounds });
    claims = new ClaimService({ db, events: raffleEvents, rerolls, logger: logger.child({ subsystem: 'claims' }) });
    const claimService = claims;
    // Claims arrive as chat lines of raffles with a claim window (the EventSub consumer reads them).
    twitch.runtime?.chat.onChatLine((line) => {
      void claimService.fromChat(line).catch((error: unknown) => logger.warn({ err: String(error) }, 'a claim from chat failed'));
    });
    const services: Services = {
      liveConnections: live,
      config,
      logger,
      db,
      events,
      chatters,
      rounds,
      roundCatchUp: new RoundCatchUp(db, logger),
      principals: options.principals ? options.principals(principals) : principals,
      access: createAccessDirectory(db),
      verifyLinks: createVerifyLinks(() => publicUrlOf(config, listeningPort)),
      streamers,
      items: new ItemService(db),
      raffles: new RaffleService({
        db,
        events: raffleEvents,
        rounds,
        requiresTwitchLink: twitch.configured,
        seeds,
        defaultFairness: config.fairness.defaultMode === 'drand' ? 'DRAND' : 'SEALED',
        startOutboxChannels: (streamer) => twitch!.startOutboxChannels(streamer),
        // A keyword raffle's chat is read from its start, not from the next lease poll.
        onStarted: (raffle) => {
          worker.kick();
          if (raffle.entryMode === 'KEYWORD' || raffle.claimSeconds > 0) twitch?.chatStarted();
        },
      }),
      rerolls,
      claims,
      proofs,
      twitch,
      people,
      sessions,
      overlay: new OverlayService({ db, events, chatters }),
    };
    const graphiql = offlineGraphiQL();
    const yoga = createGraphQLServer(services, graphiql);
    await live.start();
    const http = await createHttpApp({
      logger: logger.child({ subsystem: 'http' }),
      origins,
      routes: [
        graphqlRoutes(yoga, graphiql, { principals: services.principals, live }),
        healthRoutes(services, () => database!.ping()),
        overlayRoutes(services.streamers),
        roundsCsvRoutes({
          db,
          principals: services.principals,
          access: services.access,
          publicUrl: () => publicUrlOf(config, listeningPort),
          logger: logger.child({ subsystem: 'csv' }),
        }),
        verifyPageRoutes({ bundleAtStart: config.isProduction }),
        dashboardRoutes(),
        proofRoutes(proofs),
      ],
      authRoutes: [
        twitch.routes,
        loginRoutes({
          twitch: twitchRuntime && config.twitch ? { auth: twitchRuntime.auth, helix: twitchRuntime.helix, clientId: config.twitch.clientId } : undefined,
          states: new LoginStates(db),
          sessions,
          publicUrl: () => publicUrlOf(config, listeningPort),
          allowsOrigin: (origin) => origins.allows(origin),
          logger: logger.child({ subsystem: 'login' }),
        }),
      ],
      cookieSecret: config.sessionSecret,
      authRateLimitPerMinute: config.http.authRateLimitPerMinute,
      trustProxy: config.http.trustProxy,
    });
    const realtime = attachGraphQLWebSocket(http.server, yoga, services, origins, live);
    await http.listen({ port: config.http.port, host: config.http.host });
    listeningPort = (http.server.address() as AddressInfo).port;
    closeHttp = async () => {
      await realtime.close();
      await http.close();
      await live.close();
    };
    scheduler = new RaffleScheduler(
      db,
      rounds,
      raffleEvents,
      {
        instanceId,
        leaseSeconds: config.raffle.leaseSeconds,
        pollMs: config.raffle.schedulerPollMs,
        concurrency: config.raffle.schedulerConcurrency,
        onRound: options.onScheduledRound,
      },
      logger.child({ subsystem: 'scheduler' }),
    );
    scheduler.start();
    retention = new ProofRetention(db, config.fairness.proofRetentionDays, logger.child({ subsystem: 'proof-retention' }));
    retention.start();
    outbox.start();
    claims.start();
    twitch.start();
    const url = `http://127.0.0.1:${listeningPort}`;
    logger.info(
      {
        url: `${publicUrlOf(config, listeningPort)}/graphql`,
        database: database.kind,
        pubsub: events.kind,
        twitch: twitch.configured ? 'configured' : 'not configured (demo chat)',
        instanceId,
      },
      'KinoYu raffles API listening',
    );
    const running = scheduler;
    return { url, port: listeningPort, services, schedulerStats: () => running.stats() };
  }

  let stopping: Promise<void> | undefined;

  function stop(): Promise<void> {
    stopping ??= (async () => {
      await scheduler?.stop();
      await retention?.stop();
      await outbox?.stop();
      await claims?.stop();
      await twitch?.stop();
      await closeHttp?.();
      await events?.close();
      await database?.close();
    })();
    return stopping;
  }

  function kill(): Promise<void> {
    stopping ??= (async () => {
      scheduler?.abandon();
      void retention?.stop();
      void outbox?.stop();
      void claims?.stop();
      void twitch?.abandon();
      await closeHttp?.();
      await events?.close();
      await database?.close().catch(() => {});
    })();
    return stopping;
  }

  return { start, stop, kill };
}
