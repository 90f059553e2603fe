/**
 * A Discord stand-in that the real discord.js v14 client runs against: one node:http server on
 * 127.0.0.1 (port 0) serving REST under /api/v10 and the Gateway WebSocket under /gateway.
 *
 *   const discord = await createFakeDiscord();
 *   const guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
 *   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiBase } });
 *   await client.login(discord.botToken);
 *   const slash = discord.sendSlashCommand({ guildId: guild.id, channelId: guild.channelId('raffles'), user: { username: 'ana' }, name: 'raffle', subcommand: 'status' });
 *   const response = await slash.waitForResponse();
 *
 * See README.md next to this file for the whole API.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationFlags,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type APIApplicationCommand,
  type APIMessage,
  type APIRole,
  type APIUser,
  type UserFlags,
} from 'discord-api-types/v10';
import { Gateway, type GatewayEvent } from './gateway.js';
import { Router, type InjectedFailure, type RequestLogEntry } from './http.js';
import {
  Interactions,
  type AutocompleteInput,
  type ComponentInput,
  type InteractionHandle,
  type ModalSubmitInput,
  type SlashCommandInput,
} from './interactions.js';
import { Messages } from './messages.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { registerRoutes } from './rest-routes.js';
import { snowflake } from './snowflake.js';
import {
  DiscordState,
  type ChannelInput,
  type GuildInput,
  type GuildRecord,
  type MemberInput,
  type RoleInput,
  type UserInput,
  type UserRef,
} from './state.js';

export type {
  AutocompleteInput,
  ComponentInput,
  GatewayEvent,
  GuildInput,
  InjectedFailure,
  InteractionHandle,
  ModalSubmitInput,
  RequestLogEntry,
  SlashCommandInput,
  UserRef,
};
export type { InteractionResponseRecord, OptionInput } from './interactions.js';

export interface FakeDiscordOptions {
  applicationId?: string;
  botUsername?: string;
  /** Gateway HELLO heartbeat_interval; Discord sends ~41250 ms. */
  heartbeatIntervalMs?: number;
  /**
   * No heartbeat for this long closes the connection with 4009 (the client then resumes).
   * Default: 1.5 intervals + 2 s, as the client's first beat comes after interval * random jitter.
   */
  heartbeatTimeoutMs?: number;
  /** Time the bot has for its initial interaction response (Discord: 3000 ms). */
  interactionResponseTimeoutMs?: number;
  /** Lifetime of interaction tokens for follow-ups and edits (Discord: 15 minutes). */
  interactionTokenTtlMs?: number;
  /** Privileged intents enabled for the application; all on unless switched off. */
  privilegedIntents?: { messageContent?: boolean; guildMembers?: boolean; presences?: boolean };
  rateLimit?: Partial<RateLimitOptions>;
  /**
   * How long a Create Message nonce stays taken for `enforce_nonce` ("checked for uniqueness in
   * the past few minutes"; Discord gives no figure). Default 3 minutes.
   */
  nonceWindowMs?: number;
  /** Where the stand-in reports unknown routes and refusals; console.warn by default. */
  log?: (message: string) => void;
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  channels: { id: string; name: string; type: number }[];
  roles: { id: string; name: string; permissions: string }[];
  /** The id of the channel with that name (throws if there is none). */
  channelId(name: string): string;
  /** The id of the role with that name (throws if there is none). */
  roleId(name: string): string;
}

export interface SendMessageInput {
  channelId: string;
  /** Defaults to the channel's guild. */
  guildId?: string;
  author: UserRef;
  content: string;
  embeds?: unknown[];
}

export interface FakeDiscord {
  /** Pass as discord.js `rest: { api }` (no version suffix; discord.js appends /v10). */
  readonly apiBase: string;
  /** `apiBase` + `/v10`, for plain fetch calls. */
  readonly restBase: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botToken: string;
  readonly botUser: APIUser;

  addUser(input: UserInput): APIUser;
  addGuild(input: GuildInput): FakeGuild;
  addChannel(guildId: string, input: ChannelInput): { id: string; name: string; type: number };
  addRole(guildId: string, input: RoleInput): APIRole;
  addMember(guildId: string, input: MemberInput): void;

  sendSlashCommand(input: SlashCommandInput): InteractionHandle;
  sendAutocomplete(input: AutocompleteInput): InteractionHandle;
  sendModalSubmit(input: ModalSubmitInput): InteractionHandle;
  sendButton(input: ComponentInput): InteractionHandle;
  sendSelectMenu(input: ComponentInput & { values: string[] }): InteractionHandle;
  /**
   * A user posts in a channel: stored, and MESSAGE_CREATE dispatched as the bot's intents allow.
   * `delivered` is the number of bot sessions that got it (0 when offline or filtered out).
   */
  sendMessage(input: SendMessageInput): { message: APIMessage; delivered: number };

  /** Current messages of a channel, oldest first (ephemeral replies are never here). */
  channelMessages(channelId: string): APIMessage[];
  /**
   * Calls `listener` with every message created (not edited, not ephemeral, not a nonce replay)
   * synchronously, before the REST answer leaves: a test can act "right after Discord created
   * it". Returns the function that removes the listener.
   */
  onMessageCreate(listener: (message: APIMessage) => void): () => void;
  /** Resolves with the first message version (created or edited) in the channel matching `predicate`. */
  waitForChannelMessage(channelId: string, predicate?: (message: APIMessage) => boolean, timeoutMs?: number): Promise<APIMessage>;
  /** Commands the bot registered: global ones, or a guild's. */
  registeredCommands(guildId?: string): APIApplicationCommand[];

  isBotConnected(): boolean;
  /**
   * Drops the bot's gateway connections and returns how many. No code: the socket is cut (the
   * client sees 1006 and resumes; dispatches meanwhile are replayed). With a code: closed with it.
   * `invalidateSession`: the next RESUME gets op 9 (d: false) and the client identifies again.
   */
  disconnectBot(options?: { code?: number; reason?: string; invalidateSession?: boolean }): number;
  /** Opcode 7 Reconnect. */
  sendReconnect(): void;
  /** Opcode 9 Invalid Session (not resumable) on the live connections. */
  invalidateSession(): void;
  gatewayEvents(): GatewayEvent[];
  waitForGatewayEvent(predicate: (event: GatewayEvent) => boolean, timeoutMs?: number): Promise<GatewayEvent>;

  /** Every REST call, in order. */
  requests(): RequestLogEntry[];
  /** REST calls that matched no route (also logged). */
  unknownRoutes(): { method: string; path: string }[];
  /** The next `times` (1) requests matching method/path (below /api/v10) get this status and body instead. */
  failNextRequest(failure: Omit<InjectedFailure, 'times'> & { times?: number }): void;

  close(): Promise<void>;
}

function makeBotToken(botId: string): string {
  const head = Buffer.from(botId).toString('base64').replace(/=+$/, '');
  return `${head}.${randomBytes(4).toString('base64url').slice(0, 6)}.${randomBytes(30).toString('base64url').slice(0, 38)}`;
}

export async function createFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const log = options.log ?? ((message: string) => console.warn(`[fake-discord] ${message}`));
  const applicationId = options.applicationId ?? snowflake();
  const botUser: APIUser = {
    id: applicationId,
    username: options.botUsername ?? 'KinoYu Raffles',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
  };
  const botToken = makeBotToken(applicationId);
  const privileged = { messageContent: true, guildMembers: true, presences: true, ...options.privilegedIntents };
  const enabledPrivilegedIntents =
    (privileged.messageContent ? GatewayIntentBits.MessageContent : 0) |
    (privileged.guildMembers ? GatewayIntentBits.GuildMembers : 0) |
    (privileged.presences ? GatewayIntentBits.GuildPresences : 0);
  const applicationFlags =
    (privileged.messageContent ? ApplicationFlags.GatewayMessageContentLimited : 0) |
    (privileged.guildMembers ? ApplicationFlags.GatewayGuildMembersLimited : 0) |
    (privileged.presences ? ApplicationFlags.GatewayPresenceLimited : 0);

  const state = new DiscordState(botUser);
  const ownerId = state.addUser({ username: 'app-owner' }).id;
  const router = new Router({ botToken, rateLimiter: new RateLimiter({ ...DEFAULT_RATE_LIMIT, ...options.rateLimit }), log });
  const server: Server = createServer((req, res) => {
    void router.handle(req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const httpBase = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const gateway = new Gateway(
    {
      botToken,
      heartbeatIntervalMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? Math.round(heartbeatIntervalMs * 1.5) + 2000,
      enabledPrivilegedIntents,
      gatewayUrl,
      resumeGatewayUrl: `${gatewayUrl}/resume`,
      replayBufferSize: 1000,
      log,
    },
    {
      readyData: () => ({ user: botUser, application: { id: applicationId, flags: applicationFlags }, guildIds: [...state.guilds.keys()] }),
      guildCreate: (guildId) => guildCreateData(state.guild(guildId)),
      guildMembers: (guildId, query) => {
        const guild = state.guild(guildId);
        let members = [...guild.members.values()];
        const notFound: string[] = [];
        if (query.userIds) {
          notFound.push(...query.userIds.filter((id) => !guild.members.has(id)));
          members = members.filter((m) => query.userIds!.includes(m.userId));
        } else if (query.query) {
          const prefix = query.query.toLowerCase();
          members = members.filter((m) => state.users.get(m.userId)?.username.toLowerCase().startsWith(prefix));
        }
        if (query.limit > 0) members = members.slice(0, query.limit);
        return { members: members.map((m) => state.apiMember(guild, m)), notFound };
      },
    },
  );
  server.on('upgrade', (req, socket, head) => {
    if (!gateway.handleUpgrade(req, socket, head)) {
      log(`websocket upgrade on unknown path ${req.url ?? ''}`);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });

  const messages = new Messages(state, gateway, `${httpBase}/cdn`, options.nonceWindowMs ?? 3 * 60_000, log);
  const interactions = new Interactions(
    {
      applicationId,
      responseTimeoutMs: options.interactionResponseTimeoutMs ?? 3000,
      tokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    },
    state,
    gateway,
    messages,
  );
  registerRoutes({
    router,
    state,
    gateway,
    messages,
    interactions,
    applicationId,
    botUser,
    gatewayUrl,
    applicationFlags,
    startedAt: Date.now(),
    ownerId,
  });

  function guildCreateData(guild: GuildRecord) {
    const bot = guild.members.get(botUser.id)!;
    return {
      ...state.apiGuild(guild),
      joined_at: guild.botJoinedAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      // Without GUILD_PRESENCES Discord only sends the bot's own member (and members in voice).
      members: [state.apiMember(guild, bot)],
      channels: [...guild.channels.values()].map((channel) => state.apiChannel(channel, { withGuildId: false })),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  function describeGuild(guild: GuildRecord): FakeGuild {
    const channels = [...guild.channels.values()].map((c) => ({ id: c.id, name: c.name, type: c.type as number }));
    const roles = [...guild.roles.values()].map((r) => ({ id: r.id, name: r.name, permissions: r.permissions }));
    return {
      id: guild.id,
      name: guild.name,
      ownerId: guild.ownerId,
      channels,
      roles,
      channelId(name) {
        const found = [...guild.channels.values()].find((c) => c.name === name);
        if (!found) throw new Error(`fake-discord: guild ${guild.name} has no channel ${name}`);
        return found.id;
      },
      roleId(name) {
        const found = [...guild.roles.values()].find((r) => r.name === name);
        if (!found) throw new Error(`fake-discord: guild ${guild.name} has no role ${name}`);
        return found.id;
      },
    };
  }

  return {
    apiBase: `${httpBase}/api`,
    restBase: `${httpBase}/api/v10`,
    gatewayUrl,
    applicationId,
    botToken,
    botUser,

    addUser: (input) => state.addUser(input),
    addGuild(input) {
      const guild = state.addGuild(input);
      // A guild added while the bot is online is a guild the bot just joined.
      gateway.dispatch(GatewayDispatchEvents.GuildCreate, (s) => (s.has(GatewayIntentBits.Guilds) ? guildCreateData(guild) : undefined), guild.id);
      return describeGuild(guild);
    },
    addChannel(guildId, input) {
      const channel = state.addChannel(guildId, input);
      const api = state.apiChannel(channel);
      gateway.dispatch(GatewayDispatchEvents.ChannelCreate, (s) => (s.has(GatewayIntentBits.Guilds) ? api : undefined), guildId);
      return { id: channel.id, name: channel.name, type: channel.type };
    },
    addRole(guildId, input) {
      const role = state.addRole(guildId, input);
      gateway.dispatch(GatewayDispatchEvents.GuildRoleCreate, (s) => (s.has(GatewayIntentBits.Guilds) ? { guild_id: guildId, role } : undefined), guildId);
      return role;
    },
    addMember(guildId, input) {
      const member = state.addMember(guildId, input);
      const guild = state.guild(guildId);
      gateway.dispatch(
        GatewayDispatchEvents.GuildMemberAdd,
        (s) => (s.has(GatewayIntentBits.GuildMembers) ? { ...state.apiMember(guild, member), guild_id: guildId } : undefined),
        guildId,
      );
    },

    sendSlashCommand: (input) => interactions.sendSlashCommand(input),
    sendAutocomplete: (input) => interactions.sendAutocomplete(input),
    sendModalSubmit: (input) => interactions.sendModalSubmit(input),
    sendButton: (input) => interactions.sendComponent(input, 'button'),
    sendSelectMenu: (input) => interactions.sendComponent(input, 'select'),
    sendMessage(input) {
      const { guild } = state.channel(input.channelId);
      if (input.guildId && input.guildId !== guild.id) throw new Error(`fake-discord: channel ${input.channelId} is not in guild ${input.guildId}`);
      const author = state.resolveUser(input.author);
      state.ensureMember(guild.id, author.id);
      const { record, delivered } = messages.create({
        channelId: input.channelId,
        author,
        body: { content: input.content, ...(input.embeds ? { embeds: input.embeds } : {}) },
      });
      return { message: structuredClone(record.message), delivered };
    },

    channelMessages: (channelId) => structuredClone(state.channelMessages(channelId)),
    onMessageCreate: (listener) => messages.onCreate(listener),
    waitForChannelMessage: (channelId, predicate = () => true, timeoutMs = 5000) =>
      messages.versions.waitFor((m) => m.channel_id === channelId && predicate(m), timeoutMs, () => `a message in channel ${channelId}`),
    registeredCommands: (guildId) => structuredClone(state.commands.get(guildId ?? 'global') ?? []),

    isBotConnected: () => gateway.isConnected(),
    disconnectBot: (opts) => gateway.disconnect(opts),
    sendReconnect: () => gateway.sendReconnect(),
    invalidateSession: () => gateway.invalidateSessions(),
    gatewayEvents: () => gateway.events.all(),
    waitForGatewayEvent: (predicate, timeoutMs = 5000) => gateway.events.waitFor(predicate, timeoutMs, () => 'a gateway event'),

    requests: () => [...router.requests],
    unknownRoutes: () => [...router.unknownRoutes],
    failNextRequest: (failure) => router.injectFailure({ ...failure, times: failure.times ?? 1 }),

    async close() {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
