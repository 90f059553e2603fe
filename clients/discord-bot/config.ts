import { z } from 'zod';

/**
 * The bot's environment, parsed once. The only file of the bot that reads `process.env`;
 * every problem is listed at once by BotConfigError.
 */

const nonEmpty = (name: string) => z.string({ error: `${name} is required` }).trim().min(1, `${name} is required`);

const snowflake = (name: string) => nonEmpty(name).regex(/^\d{5,25}$/, `${name} must be a Discord id (digits only)`);

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
  .default('false')
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/**
 * `DISCORD_API_URL` as given (`http://host/api` or `http://host/api/v10`, trailing slash or not)
 * to the base discord.js wants (`http://host/api`; it appends `/v10` itself).
 */
export function discordRestBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v\d+$/, '');
}

const discordApiUrl = z
  .url({ protocol: /^https?$/, error: 'DISCORD_API_URL must be an http(s) URL such as https://discord.com/api' })
  .optional()
  .transform((value) => (value ? discordRestBase(value) : undefined));

const discordSchema = z.object({
  DISCORD_TOKEN: nonEmpty('DISCORD_TOKEN'),
  DISCORD_APPLICATION_ID: snowflake('DISCORD_APPLICATION_ID'),
  DISCORD_API_URL: z.preprocess(emptyToUndefined, discordApiUrl),
  LOG_LEVEL: z.preprocess(emptyToUndefined, logLevel),
});

const botSchema = discordSchema.extend({
  API_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: 'API_URL must be the http(s) URL of the GraphQL endpoint' }).default('http://localhost:4000/graphql'),
  ),
  API_TOKEN: nonEmpty('API_TOKEN').pipe(z.string().min(32, "API_TOKEN must be the server's token (32+ characters)")),
  DISCORD_PREFIX_COMMANDS: z.preprocess(emptyToUndefined, flag),
});

export interface DiscordConfig {
  token: string;
  applicationId: string;
  /** REST base without the version (discord.js adds /v10); undefined: discord.com. */
  restBase: string | undefined;
}

export interface BotConfig {
  discord: DiscordConfig;
  api: { url: string; token: string; wsUrl: string };
  /** `!iniciar` and friends; needs the privileged MessageContent intent. */
  prefixCommands: boolean;
  logLevel: z.infer<typeof logLevel>;
}

export interface DeployConfig {
  discord: DiscordConfig;
  logLevel: z.infer<typeof logLevel>;
}

export class BotConfigError extends Error {
  override name = 'BotConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid bot configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadBotConfig(env: Env = process.env): BotConfig {
  const parsed = parseOrThrow(botSchema, env);
  return {
    discord: discordPart(parsed),
    api: { url: parsed.API_URL, token: parsed.API_TOKEN, wsUrl: parsed.API_URL.replace(/^http/, 'ws') },
    prefixCommands: parsed.DISCORD_PREFIX_COMMANDS,
    logLevel: parsed.LOG_LEVEL,
  };
}

/** What `deploy-commands.ts` needs: no API settings. */
export function loadDeployConfig(env: Env = process.env): DeployConfig {
  const parsed = parseOrThrow(discordSchema, env);
  return { discord: discordPart(parsed), logLevel: parsed.LOG_LEVEL };
}

function discordPart(parsed: z.infer<typeof discordSchema>): DiscordConfig {
  return { token: parsed.DISCORD_TOKEN, applicationId: parsed.DISCORD_APPLICATION_ID, restBase: parsed.DISCORD_API_URL };
}

function parseOrThrow<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new BotConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
    }),
  );
}

function emptyToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
