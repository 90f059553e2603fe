import { z } from 'zod';
import { createHmac } from 'node:crypto';
import { DEFAULT_DRAND_RELAYS, QUICKNET_INFO } from '../fairness/quicknet';

/**
 * The environment model: every setting the server reads, parsed once at startup. No other file
 * reads `process.env`. `loadConfig` throws a ConfigError listing every problem at once.
 */

const DEFAULT_EXCLUDED_LOGINS =
  'nightbot,streamelements,streamlabs,moobot,fossabot,wizebot,soundalerts,sery_bot,commanderroot,kofistreambot';

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const commaList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean));

const base64Key = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  message: 'each key must be 32 bytes encoded as base64 (openssl rand -base64 32)',
});

/** A Redis Cluster node: a redis:// or rediss:// URL, or host:port. */
const redisNode = z.string().refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) || /^[^\s:/]+:\d{1,5}$/.test(value), {
  message: 'each node must be a redis:// URL or host:port',
});

/** DATABASE_PREPARED_STATEMENTS' default, also for a database opened without a Config (tests, benches). */
export const DEFAULT_PREPARED_STATEMENTS = 200;

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));

const environmentSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: optionalNonEmpty.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATA_DIR: z.string().default('./.data'),
    /** Production runs on DATABASE_URL; this opts in to the embedded PGlite under DATA_DIR instead. */
    ALLOW_EMBEDDED_DATABASE: booleanString.default(false),
    /** Distinct SQL texts prepared once per pooled PostgreSQL connection (named statements); 0: none (a pooler that cannot keep them). */
    DATABASE_PREPARED_STATEMENTS: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_PREPARED_STATEMENTS),
    REDIS_URL: optionalNonEmpty.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    /** A Redis Cluster's nodes (redis:// URLs or host:port, comma-separated); pub/sub on sharded channels. */
    REDIS_CLUSTER_NODES: optionalNonEmpty.pipe(commaList.pipe(z.array(redisNode).min(1)).optional()),
    API_TOKEN: optionalNonEmpty.pipe(
      z.string().min(32, 'API_TOKEN must be at least 32 characters').optional(),
    ),
    /** Signs the dashboard's session cookies (kinoyu_session); required in production. */
    SESSION_SECRET: optionalNonEmpty.pipe(z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional()),
    TOKEN_ENCRYPTION_KEY: optionalNonEmpty.pipe(
      commaList.pipe(z.array(base64Key).min(1)).optional(),
    ),
    TWITCH_CLIENT_ID: optionalNonEmpty,
    TWITCH_CLIENT_SECRET: optionalNonEmpty,
    TWITCH_AUTH_URL: z.url().default('https://id.twitch.tv/oauth2'),
    TWITCH_API_URL: z.url().default('https://api.twitch.tv/helix'),
    /** Twitch asks apps to validate every user token at startup and hourly. */
    TWITCH_VALIDATE_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(3_600_000),
    /** EventSub WebSocket (chat for keyword entry and claims). */
    TWITCH_EVENTSUB_WS_URL: z.url({ protocol: /^wss?$/ }).default('wss://eventsub.wss.twitch.tv/ws'),
    TWITCH_EVENTSUB_KEEPALIVE_SECONDS: z.coerce.number().int().min(10).max(600).default(30),
    /** One instance reads a streamer's chat: its lease, and how often leases are taken/renewed. */
    TWITCH_CHAT_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(15),
    TWITCH_CHAT_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(2_000),
    /** How long one Get Chatters snapshot serves the rounds of a streamer. */
    TWITCH_CHATTERS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
    /** The chat message when a raffle starts (how to enter, the claim rule, the disclaimer line). */
    TWITCH_START_ANNOUNCEMENT: booleanString.default(true),
    /** The line that ends it (Twitch asks for it on promotions); empty: no line. */
    TWITCH_PROMOTION_DISCLAIMER: z.string().trim().max(200).default('Twitch does not sponsor or endorse broadcaster promotions'),
    /** Twitch chat announcements: outbox polling, attempts before FAILED, first retry delay (doubles). */
    OUTBOX_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(1_000),
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
    RAFFLE_EXCLUDED_LOGINS: z.string().default(DEFAULT_EXCLUDED_LOGINS).pipe(commaList),
    /** Browser origins (besides PUBLIC_URL's) allowed by CORS and on WebSocket upgrades; WS_ALLOWED_ORIGINS is an alias. */
    ALLOWED_ORIGINS: optionalNonEmpty.pipe(commaList.pipe(z.array(z.url())).optional()),
    WS_ALLOWED_ORIGINS: optionalNonEmpty.pipe(commaList.pipe(z.array(z.url())).optional()),
    /** Requests per client address and minute on /auth/* (start page, OAuth callbacks). */
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
    /**
     * Behind a reverse proxy: `true` (trust every hop), a hop count, or a comma list of proxy
     * addresses/CIDRs, so the client address (rate limits, logs) comes from X-Forwarded-For.
     */
    TRUST_PROXY: optionalNonEmpty.transform((value): boolean | number | string[] => {
      if (value === undefined || value === 'false') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      return value.split(',').map((entry) => entry.trim()).filter(Boolean);
    }),
    WS_CONNECTION_INIT_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(10_000),
    WS_KEEPALIVE_MS: z.coerce.number().int().min(0).max(600_000).default(12_000),
    WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(4_096).max(268_435_456).default(1_048_576),
    /** Live connections (graphql-ws sockets + SSE streams) at once per overlay key / per client address. */
    LIVE_MAX_PER_OVERLAY_KEY: z.coerce.number().int().min(1).max(1_000_000).default(20),
    LIVE_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(100),
    SCHEDULER_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(500),
    /** Rounds one instance's scheduler runs at once (the database pool holds 10 connections). */
    SCHEDULER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
    ROUND_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(15),
    /** Provable rounds (FAIRNESS.md): drand relays, pinned chain, default mode, proof retention. */
    DRAND_URLS: z.string().default(DEFAULT_DRAND_RELAYS.join(',')).pipe(commaList).pipe(z.array(z.url({ protocol: /^https?$/ })).min(1)),
    DRAND_CHAIN_HASH: z.string().trim().toLowerCase().regex(/^[0-9a-f]{64}$/, 'DRAND_CHAIN_HASH must be 32 bytes of hex').default(QUICKNET_INFO.hash),
    DRAND_PUBLIC_KEY: z.string().trim().toLowerCase().regex(/^[0-9a-f]{192}$/, 'DRAND_PUBLIC_KEY must be a 96-byte G2 point in hex').default(QUICKNET_INFO.publicKey),
    DRAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
    RAFFLE_FAIRNESS_DEFAULT: z.enum(['sealed', 'drand']).default('sealed'),
    PROOF_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: booleanString.optional(),
  });

/** Rules between variables, checked on the raw values so they are listed with every other problem. */
function crossFieldProblems(source: Record<string, string | undefined>): string[] {
  const given = (name: string) => Boolean(source[name]?.trim());
  const problems: string[] = [];
  if (given('TWITCH_CLIENT_ID') !== given('TWITCH_CLIENT_SECRET')) {
    problems.push('TWITCH_CLIENT_SECRET: TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET must be set together');
  }
  if (source.NODE_ENV === 'production') {
    for (const name of ['API_TOKEN', 'TOKEN_ENCRYPTION_KEY', 'SESSION_SECRET', 'PUBLIC_URL']) {
      if (!given(name)) problems.push(`${name}: ${name} is required in production`);
    }
    const embeddedAllowed = ['true', '1'].includes(source.ALLOW_EMBEDDED_DATABASE?.trim() ?? '');
    if (!given('DATABASE_URL') && !embeddedAllowed) {
      problems.push(
        'DATABASE_URL: DATABASE_URL is required in production (or set ALLOW_EMBEDDED_DATABASE=true to keep the data in an embedded database under DATA_DIR)',
      );
    }
  }
  return problems;
}

export type Environment = z.infer<typeof environmentSchema>;

/** Present only when TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET are given; without them the app runs its demo chat. */
export interface TwitchConfig {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  apiUrl: string;
  validateIntervalMs: number;
  chattersCacheMs: number;
  /** EventSub over WebSocket: the server URL, the keepalive asked for, the chat lease and poll. */
  eventsub: { url: string; keepaliveTimeoutSeconds: number; leaseSeconds: number; pollMs: number };
  /** The raffle start announcement in chat (null: off) and its disclaimer line ('' for none). */
  startAnnouncement: { disclaimer: string } | null;
}

/** The secrets createApp needs; in development `resolveSecrets` (dev-secrets.ts) fills in missing ones. */
export interface Secrets {
  apiToken: string;
  /** The first key encrypts; every key decrypts (rotation). */
  tokenEncryptionKeys: Buffer[];
  /** Signs the session cookies (SESSION_SECRET). */
  sessionSecret: string;
}

/** The parsed environment. Secrets may be missing here (development); see ResolvedConfig. */
export interface Config {
  env: Environment['NODE_ENV'];
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    publicUrl: string | undefined;
    allowedOrigins: string[] | undefined;
    authRateLimitPerMinute: number;
    trustProxy: boolean | number | string[];
  };
  /** graphql-ws: init timeout (4408), ping interval (a socket without a pong by the next ping is dropped, 0 = off), send buffer limit (4413). */
  webSocket: { connectionInitTimeoutMs: number; keepAliveMs: number; maxBufferedBytes: number };
  /** Caps on live connections (graphql-ws sockets and SSE streams together): excess is refused with 429 / 4429. */
  liveConnections: { maxPerOverlayKey: number; maxPerAddress: number };
  /** preparedStatements: how many distinct SQL texts each PostgreSQL connection prepares (src/db/statement-names.ts); unset in tests: the default. */
  database: { url: string | undefined; dataDir: string; preparedStatements?: number };
  /** One Redis server, or a node of a cluster (found out at start, see src/pubsub/redis-target.ts). */
  redisUrl: string | undefined;
  /** REDIS_CLUSTER_NODES: a Redis Cluster (wins over REDIS_URL). */
  redisClusterNodes: string[] | undefined;
  /** Filled by `resolveSecrets` in development when not given. */
  apiToken: string | undefined;
  tokenEncryptionKeys: Buffer[] | undefined;
  sessionSecret: string | undefined;
  /** null: Twitch is not configured (no client id and secret). */
  twitch: TwitchConfig | null;
  outbox: { pollMs: number; maxAttempts: number; retryBaseMs: number };
  raffle: { excludedLogins: string[]; schedulerPollMs: number; schedulerConcurrency: number; leaseSeconds: number };
  log: { level: Environment['LOG_LEVEL']; pretty: boolean };
  /** Provable rounds: the default mode of a new raffle, how long proofs are kept, the drand chain. */
  fairness: {
    defaultMode: Environment['RAFFLE_FAIRNESS_DEFAULT'];
    proofRetentionDays: number;
    drand: { urls: string[]; chainHash: string; publicKey: string; timeoutMs: number };
  };
}

/** What createApp runs on: the configuration with every secret in hand. */
export type ResolvedConfig = Omit<Config, keyof Secrets> & Secrets;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined>): Config {
  const parsed = environmentSchema.safeParse(source);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)),
    ...crossFieldProblems(source),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    http: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
      allowedOrigins: (env.ALLOWED_ORIGINS ?? env.WS_ALLOWED_ORIGINS)?.map((url) => new URL(url).origin),
      authRateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
      trustProxy: env.TRUST_PROXY,
    },
    webSocket: {
      connectionInitTimeoutMs: env.WS_CONNECTION_INIT_TIMEOUT_MS,
      keepAliveMs: env.WS_KEEPALIVE_MS,
      maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
    },
    liveConnections: { maxPerOverlayKey: env.LIVE_MAX_PER_OVERLAY_KEY, maxPerAddress: env.LIVE_MAX_PER_ADDRESS },
    database: { url: env.DATABASE_URL, dataDir: env.DATA_DIR, preparedStatements: env.DATABASE_PREPARED_STATEMENTS },
    redisUrl: env.REDIS_URL,
    redisClusterNodes: env.REDIS_CLUSTER_NODES,
    apiToken: env.API_TOKEN,
    tokenEncryptionKeys: env.TOKEN_ENCRYPTION_KEY?.map((key) => Buffer.from(key, 'base64')),
    sessionSecret: env.SESSION_SECRET,
    twitch:
      env.TWITCH_CLIENT_ID && env.TWITCH_CLIENT_SECRET
        ? {
            clientId: env.TWITCH_CLIENT_ID,
            clientSecret: env.TWITCH_CLIENT_SECRET,
            authUrl: env.TWITCH_AUTH_URL.replace(/\/+$/, ''),
            apiUrl: env.TWITCH_API_URL.replace(/\/+$/, ''),
            validateIntervalMs: env.TWITCH_VALIDATE_INTERVAL_MS,
            chattersCacheMs: env.TWITCH_CHATTERS_CACHE_MS,
            eventsub: {
              url: env.TWITCH_EVENTSUB_WS_URL,
              keepaliveTimeoutSeconds: env.TWITCH_EVENTSUB_KEEPALIVE_SECONDS,
              leaseSeconds: env.TWITCH_CHAT_LEASE_SECONDS,
              pollMs: env.TWITCH_CHAT_POLL_MS,
            },
            startAnnouncement: env.TWITCH_START_ANNOUNCEMENT ? { disclaimer: env.TWITCH_PROMOTION_DISCLAIMER } : null,
          }
        : null,
    outbox: {
      pollMs: env.OUTBOX_POLL_MS,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      retryBaseMs: env.OUTBOX_RETRY_BASE_MS,
    },
    raffle: {
      excludedLogins: env.RAFFLE_EXCLUDED_LOGINS.map((login) => login.toLowerCase()),
      schedulerPollMs: env.SCHEDULER_POLL_MS,
      schedulerConcurrency: env.SCHEDULER_CONCURRENCY,
      leaseSeconds: env.ROUND_LEASE_SECONDS,
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? false },
    fairness: {
      defaultMode: env.RAFFLE_FAIRNESS_DEFAULT,
      proofRetentionDays: env.PROOF_RETENTION_DAYS,
      drand: {
        urls: env.DRAND_URLS.map((url) => url.replace(/\/+$/, '')),
        chainHash: env.DRAND_CHAIN_HASH,
        publicKey: env.DRAND_PUBLIC_KEY,
        timeoutMs: env.DRAND_TIMEOUT_MS,
      },
    },
  };
}

/**
 * The configuration with its secrets: the environment's, else the fallbacks (what resolveSecrets
 * keeps for development). Throws ConfigError naming what is missing.
 */
export function requireSecrets(config: Config, fallback: Partial<Secrets> = {}): ResolvedConfig {
  const apiToken = config.apiToken ?? fallback.apiToken;
  const tokenEncryptionKeys = config.tokenEncryptionKeys ?? fallback.tokenEncryptionKeys;
  if (apiToken === undefined || tokenEncryptionKeys === undefined || tokenEncryptionKeys.length === 0) {
    throw new ConfigError([
      ...(apiToken === undefined ? ['API_TOKEN: API_TOKEN is required (or let resolveSecrets generate one in development)'] : []),
      ...(tokenEncryptionKeys === undefined || tokenEncryptionKeys.length === 0
        ? ['TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY is required (or let resolveSecrets generate one in development)']
        : []),
    ]);
  }
  // Production requires SESSION_SECRET (crossFieldProblems) and development generates one
  // (dev-secrets.ts); elsewhere (tests) it is derived from API_TOKEN, never the token itself.
  const sessionSecret =
    config.sessionSecret ?? fallback.sessionSecret ?? createHmac('sha256', apiToken).update('kinoyu session cookie').digest('base64url');
  return { ...config, apiToken, tokenEncryptionKeys, sessionSecret };
}

/** The URL browsers reach this server at (OAuth redirect, overlay links). */
export function publicUrlOf(config: Pick<Config, 'http'>, listeningPort: number): string {
  return config.http.publicUrl ?? `http://localhost:${listeningPort}`;
}

/**
 * For module-level setup that runs before `loadConfig` (the schema builder): whether this process
 * runs in production. Everything else takes the parsed `Config`.
 */
export const isProductionProcess = process.env.NODE_ENV === 'production';
