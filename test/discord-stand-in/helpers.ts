import { Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import { createFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../stand-ins/discord/fake-discord.js';

export interface Harness {
  discord: FakeDiscord;
  client: Client;
}

/**
 * A stand-in and a real discord.js Client logged in to it. The identify throttler is replaced
 * because @discordjs/ws otherwise spaces identifies 5 s apart (Discord's max_concurrency rule),
 * which would make re-identify tests slow; nothing else about the client is changed.
 */
export async function startHarness(
  intents: GatewayIntentBits[] = [GatewayIntentBits.Guilds],
  options: FakeDiscordOptions = {},
  setup: (discord: FakeDiscord) => void = () => {},
  clientOptions: Partial<ClientOptions> = {},
): Promise<Harness> {
  const discord = await createFakeDiscord({ heartbeatIntervalMs: 1000, log: () => {}, ...options });
  setup(discord);
  const client = new Client({
    intents,
    rest: { api: discord.apiBase },
    ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) },
    ...clientOptions,
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(discord.botToken);
  await ready;
  return { discord, client };
}

export async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (!harness) return;
  await harness.client.destroy();
  await harness.discord.close();
}

/** Resolves with the first emission of `event` whose arguments satisfy `predicate`. */
export function nextEvent<T extends unknown[]>(
  emitter: { on(event: string, listener: (...args: T) => void): unknown; off(event: string, listener: (...args: T) => void): unknown },
  event: string,
  predicate: (...args: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    const listener = (...args: T) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}
