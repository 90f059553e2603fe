import { Client, Events, GatewayIntentBits, type ClientOptions, type MessageMentionOptions } from 'discord.js';
import { Announcements, type AnnouncerOptions } from './announcer/announcer';
import { AnnouncementMessages, createClaimUpdater } from './announcer/claim-updates';
import { createDiscordPublisher } from './announcer/publish';
import type { BotContext, Command } from './commands/index';
import type { BotConfig } from './config';
import { createInteractionHandler } from './events/interaction-create';
import { createPrefixHandler } from './events/prefix-command';
import { createApiClient } from './graphql/api-client';
import { loadCommands } from './loader';
import { createBotLogger, type Logger } from './logger';

export interface BotOptions {
  logger?: Logger;
  /** Announcer tuning (tests shorten the sweep and the reconnect backoff). */
  announcer?: Pick<AnnouncerOptions, 'sweepIntervalMs' | 'reconnect' | 'pageSize'>;
}

export interface Bot {
  client: Client;
  logger: Logger;
  announcements: Announcements;
  commands: ReadonlyMap<string, Command>;
  /** Logs in and resolves once the gateway is ready and the guilds' streamers are being followed. */
  start(): Promise<void>;
  /** Closes the announcement connection and the gateway; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * What every message the bot sends may ping: nothing. Item names, Twitch logins and server
 * error texts end up in replies, and none may notify @everyone, @here, a role or a user. The
 * winner embed needs no ping either: the winner is a Twitch viewer, not a Discord member, and
 * mentions inside embeds never notify anyway. A message that ever needs one sets its own.
 */
export const ALLOWED_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };

export function createBot(config: BotConfig, options: BotOptions = {}): Bot {
  const logger = options.logger ?? createBotLogger(config.logLevel);
  const api = createApiClient({ url: config.api.url, token: config.api.token });

  const intents = [GatewayIntentBits.Guilds];
  if (config.prefixCommands) intents.push(GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent);
  const clientOptions: ClientOptions = {
    intents,
    allowedMentions: ALLOWED_MENTIONS,
    rest: config.discord.restBase ? { api: config.discord.restBase } : {},
  };
  const client = new Client(clientOptions);

  const announcementMessages = new AnnouncementMessages();
  const announcements = new Announcements({
    api,
    wsUrl: config.api.wsUrl,
    token: config.api.token,
    logger,
    publish: createDiscordPublisher(client, logger, announcementMessages),
    updateClaim: createClaimUpdater(client, logger, announcementMessages),
    ...options.announcer,
  });
  const context: BotContext = { api, logger, announcements };
  const commands = new Map<string, Command>();
  let started = false;
  let stopped = false;

  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (warning) => logger.warn(warning));
  client.on(Events.ShardDisconnect, (event, shard) => logger.warn({ shard, code: event.code }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard) => logger.info({ shard }, 'gateway resumed'));
  client.on(Events.GuildCreate, (guild) => void announcements.syncGuild(guild.id));
  client.on(Events.GuildDelete, (guild) => announcements.forgetGuild(guild.id));

  return {
    client,
    logger,
    announcements,
    commands,
    async start() {
      if (started) throw new Error('the bot was started already');
      started = true;
      for (const [name, command] of await loadCommands()) commands.set(name, command);
      const onInteraction = createInteractionHandler(commands, context);
      client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction));
      if (config.prefixCommands) {
        const onMessage = createPrefixHandler(context);
        client.on(Events.MessageCreate, (message) => void onMessage(message));
      }
      announcements.start();
      const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
      await client.login(config.discord.token);
      const readyClient = await ready;
      logger.info({ user: readyClient.user.tag, guilds: readyClient.guilds.cache.size, commands: [...commands.keys()] }, 'bot ready');
      await Promise.all(readyClient.guilds.cache.map((guild) => announcements.syncGuild(guild.id)));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await announcements.stop();
      await client.destroy();
      logger.info('bot stopped');
    },
  };
}
