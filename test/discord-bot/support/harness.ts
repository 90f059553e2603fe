import { PermissionFlagsBits, type APIEmbed, type APIMessage } from 'discord.js';
import pino from 'pino';
import { createBot, type Bot } from '../../../clients/discord-bot/bot';
import { loadBotConfig } from '../../../clients/discord-bot/config';
import { deployCommands } from '../../../clients/discord-bot/deploy-commands';
import { createFakeDiscord, type FakeDiscord, type FakeGuild, type GuildInput, type InteractionHandle, type SlashCommandInput } from '../../stand-ins/discord/fake-discord';
import { execute } from '../../support/graphql';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../../support/test-app';

export const ADMIN = { username: 'ana_admin' };
export const VIEWER = { username: 'bia_viewer' };
export const MANAGE_GUILD = PermissionFlagsBits.ManageGuild;

export interface HarnessOptions {
  /** The guild's preferred locale (used for announcements). */
  guildLocale?: 'pt-BR' | 'en-US';
  /** An API already running (to share between harnesses); a new one otherwise. */
  api?: TestApp;
  /** Extra roles and members for the guild (role names may be used in members' roles). */
  roles?: GuildInput['roles'];
  members?: GuildInput['members'];
}

/**
 * A real API server (startTestApp), the Discord stand-in with one guild (#sorteios, #geral),
 * the bot's commands deployed to it, and a bot that can be started and stopped at will.
 */
export class Harness {
  readonly bots: Bot[] = [];
  bot: Bot | undefined;
  readonly logs: Array<{ level: number; msg: string; [key: string]: unknown }> = [];

  private constructor(
    /** Replaceable: tests that restart the API put the new one here. */
    public api: TestApp,
    readonly discord: FakeDiscord,
    readonly guild: FakeGuild,
    private readonly ownsApi: boolean,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const api = options.api ?? (await startTestApp());
    const discord = await createFakeDiscord({ heartbeatIntervalMs: 1000, log: () => {} });
    const guild = discord.addGuild({
      name: 'KinoYu',
      locale: options.guildLocale ?? 'pt-BR',
      channels: [{ name: 'sorteios' }, { name: 'geral' }],
      roles: options.roles,
      members: options.members,
    });
    await deployCommands({ token: discord.botToken, applicationId: discord.applicationId, restBase: discord.apiBase });
    return new Harness(api, discord, guild, !options.api);
  }

  get channels() {
    return { announce: this.guild.channelId('sorteios'), general: this.guild.channelId('geral') };
  }

  env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      DISCORD_TOKEN: this.discord.botToken,
      DISCORD_APPLICATION_ID: this.discord.applicationId,
      DISCORD_API_URL: this.discord.restBase,
      API_URL: `${this.api.url}/graphql`,
      API_TOKEN: TEST_API_TOKEN,
      LOG_LEVEL: 'silent',
      ...overrides,
    };
  }

  async startBot(overrides: Record<string, string | undefined> = {}): Promise<Bot> {
    const logs = this.logs;
    const logger = pino(
      { level: process.env.TEST_LOG_LEVEL ?? 'debug' },
      { write: (line: string) => void logs.push(JSON.parse(line)) },
    );
    const bot = createBot(loadBotConfig(this.env(overrides)), {
      logger,
      announcer: { sweepIntervalMs: 1_000, reconnect: { minDelayMs: 100, maxDelayMs: 1_000 } },
    });
    this.bots.push(bot);
    await bot.start();
    this.bot = bot;
    return bot;
  }

  async stopBot(): Promise<void> {
    await this.bot?.stop();
    this.bot = undefined;
  }

  async close(): Promise<void> {
    for (const bot of this.bots) await bot.stop().catch(() => undefined);
    await this.discord.close();
    if (this.ownsApi) await this.api.stop();
  }

  /** A slash command in #geral by the admin (Manage Server) with a pt-BR client, unless overridden. */
  slash(input: Omit<SlashCommandInput, 'guildId' | 'channelId' | 'user'> & Partial<Pick<SlashCommandInput, 'user' | 'channelId'>>) {
    return this.discord.sendSlashCommand({
      guildId: this.guild.id,
      channelId: this.channels.general,
      user: ADMIN,
      memberPermissions: MANAGE_GUILD,
      locale: 'pt-BR',
      ...input,
    });
  }

  /**
   * Runs a slash command and resolves with what the user finally sees: the reply (after a defer,
   * its edit), or the ephemeral follow-up that replaces a deleted public reply (errors).
   */
  async run(input: Parameters<Harness['slash']>[0]): Promise<{ content: string; message: APIMessage; ephemeral: boolean }> {
    return settled(this.slash(input));
  }

  /** Opens `/items add` and submits the modal with `text`; resolves with the bot's answer. */
  async addItems(text: string, locale = 'pt-BR'): Promise<{ content: string; ephemeral: boolean }> {
    const open = this.slash({ name: 'items', subcommand: 'add', locale });
    const response = await open.waitForResponse();
    if (response.type !== 9) throw new Error(`expected a modal, got response type ${response.type}`);
    const modal = response.data as { custom_id: string; components: unknown[] };
    const inputId = findTextInputId(modal.components);
    const submit = this.discord.sendModalSubmit({
      guildId: this.guild.id,
      channelId: this.channels.general,
      user: ADMIN,
      memberPermissions: MANAGE_GUILD,
      locale,
      customId: modal.custom_id,
      components: [{ customId: inputId, value: text }],
    });
    return settled(submit);
  }

  /** The streamer of the harness guild, straight from the API. */
  async streamer() {
    const data = await execute<{ streamerByGuild: null | { id: string; announceChannelId: string | null; activeRaffle: { id: string; status: string } | null; items: Array<{ id: string; name: string; remaining: number }> } }>(
      this.api.url,
      `query ($guildId: String!) { streamerByGuild(guildId: $guildId) { id announceChannelId activeRaffle { id status } items { id name remaining } } }`,
      { guildId: this.guild.id },
    );
    return data.streamerByGuild;
  }

  /** Every winning round of the streamer, oldest first, from the API. */
  async wins(streamerId: string): Promise<Array<{ id: string; number: number; discordAnnouncedAt: string | null }>> {
    const data = await execute<{ roundsSince: Array<{ id: string; number: number; discordAnnouncedAt: string | null }> }>(
      this.api.url,
      `query ($streamerId: ID!) { roundsSince(streamerId: $streamerId, onlyWinners: true, first: 500) { id number discordAnnouncedAt } }`,
      { streamerId },
    );
    return data.roundsSince;
  }

  /** Winner embeds posted in the announcement channel, oldest first. */
  winnerEmbeds(channelId = this.channels.announce): APIEmbed[] {
    return this.discord
      .channelMessages(channelId)
      .filter((message) => message.author.id === this.discord.botUser.id)
      .flatMap((message) => message.embeds)
      .filter((embed) => embed.footer?.text !== undefined);
  }

  /** Round ids in the footers of the winner embeds. */
  announcedRoundIds(channelId = this.channels.announce): string[] {
    return this.winnerEmbeds(channelId).map((embed) => embed.footer!.text.replace(/^\D+/, ''));
  }
}

/** The reply as it ends up: a follow-up if there is one, else the original once it is not "thinking". */
export async function settled(handle: InteractionHandle, timeoutMs = 10_000): Promise<{ content: string; message: APIMessage; ephemeral: boolean }> {
  const message = await eventually(
    () => {
      const followUp = handle.followUps()[0];
      if (followUp) return followUp;
      const original = handle.original();
      const loading = ((original?.flags ?? 0) & 128) === 128;
      return original && !loading ? original : undefined;
    },
    timeoutMs,
    `the reply to ${handle.payload.type === 2 ? 'a command' : 'an interaction'}`,
  );
  return { content: message.content, message, ephemeral: isEphemeral(message) };
}

export function isEphemeral(message: APIMessage): boolean {
  return ((message.flags ?? 0) & 64) === 64;
}

function findTextInputId(components: unknown[]): string {
  const stack = [...components];
  while (stack.length) {
    const node = stack.shift() as { type?: number; custom_id?: string; components?: unknown[]; component?: unknown };
    if (node?.type === 4 && node.custom_id) return node.custom_id;
    if (Array.isArray(node?.components)) stack.push(...node.components);
    if (node?.component) stack.push(node.component);
  }
  throw new Error('the modal has no text input');
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
