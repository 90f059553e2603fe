import zlib from 'node:zlib';
import { Events, GatewayIntentBits, type Interaction } from 'discord.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeDiscord, type FakeDiscord, type FakeGuild } from '../stand-ins/discord/fake-discord.js';
import { nextEvent, startHarness, stopHarness, type Harness } from './helpers.js';

interface Frame {
  op: number;
  d: any;
  s: number | null;
  t: string | null;
}

/** A bare gateway client speaking the documented protocol, to check the stand-in's side of it. */
class RawGateway {
  readonly frames: Frame[] = [];
  closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];
  #compressed: Buffer[] = [];
  #inflatedLength = 0;

  constructor(
    readonly ws: WebSocket,
    readonly binary: 'zlib-stream' | 'per-payload',
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary && binary === 'per-payload') {
        // IDENTIFY compress: each payload is a complete zlib stream of its own.
        this.frames.push(JSON.parse(zlib.inflateSync(data).toString('utf8')) as Frame);
      } else if (isBinary) {
        // zlib-stream: one zlib context for the connection; each message ends with a sync flush.
        this.#compressed.push(data);
        const all = zlib.inflateSync(Buffer.concat(this.#compressed), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
        this.frames.push(JSON.parse(all.slice(this.#inflatedLength)) as Frame);
        this.#inflatedLength = all.length;
      } else {
        this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, binary: 'zlib-stream' | 'per-payload' = 'zlib-stream'): Promise<RawGateway> {
    const ws = new WebSocket(url);
    const raw = new RawGateway(ws, binary);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return raw;
  }

  send(payload: unknown): void {
    this.ws.send(JSON.stringify(payload));
  }

  async next(predicate: (frame: Frame) => boolean, timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => [f.op, f.t, f.s]))}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

const identify = (token: string, intents = GatewayIntentBits.Guilds) => ({
  op: 2,
  d: { token, intents, properties: { os: 'linux', browser: 'raw-test', device: 'raw-test' } },
});

describe('gateway protocol (raw client)', () => {
  let discord: FakeDiscord;
  let guild: FakeGuild;
  const sockets: RawGateway[] = [];
  const open = async (query = '?v=10&encoding=json', binary: 'zlib-stream' | 'per-payload' = 'zlib-stream') => {
    const raw = await RawGateway.open(`${discord.gatewayUrl}${query}`, binary);
    sockets.push(raw);
    return raw;
  };
  const setup = async () => {
    discord = await createFakeDiscord({ heartbeatIntervalMs: 5000, log: () => {} });
    guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
  };
  afterEach(async () => {
    for (const raw of sockets.splice(0)) raw.ws.terminate();
    await discord.close();
  });

  it('says HELLO, acks heartbeats, and answers IDENTIFY with READY then GUILD_CREATE, numbered', async () => {
    await setup();
    const raw = await open();
    const hello = await raw.next((f) => f.op === 10);
    expect(hello).toEqual({ op: 10, d: { heartbeat_interval: 5000 }, s: null, t: null });
    raw.send({ op: 1, d: null });
    expect(await raw.next((f) => f.op === 11)).toEqual({ op: 11, d: null, s: null, t: null });

    raw.send(identify(discord.botToken));
    const ready = await raw.next((f) => f.t === 'READY');
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: discord.botUser.id, bot: true },
      guilds: [{ id: guild.id, unavailable: true }],
      resume_gateway_url: `${discord.gatewayUrl}/resume`,
      shard: [0, 1],
      application: { id: discord.applicationId },
    });
    expect(typeof ready.d.session_id).toBe('string');
    const guildCreate = await raw.next((f) => f.t === 'GUILD_CREATE');
    expect(guildCreate.s).toBe(2);
    expect(guildCreate.d).toMatchObject({ id: guild.id, name: 'KinoYu', unavailable: false, channels: [{ name: 'raffles', type: 0 }] });

    raw.send(identify(discord.botToken));
    expect(await raw.closed).toMatchObject({ code: 4005 });
  });

  it('closes with 4004 on a bad token, 4003 before identify, 4001 on unknown opcodes and 4002 on garbage', async () => {
    await setup();
    const bad = await open();
    bad.send(identify('not-the-token'));
    expect(await bad.closed).toMatchObject({ code: 4004 });

    const early = await open();
    early.send({ op: 3, d: { since: null, activities: [], status: 'online', afk: false } });
    expect(await early.closed).toMatchObject({ code: 4003 });

    const unknown = await open();
    unknown.send({ op: 42, d: null });
    expect(await unknown.closed).toMatchObject({ code: 4001 });

    const garbage = await open();
    garbage.ws.send('{not json');
    expect(await garbage.closed).toMatchObject({ code: 4002 });

    const version = await open('?v=8&encoding=json');
    expect(await version.closed).toMatchObject({ code: 4012 });
  });

  it('resumes a session with the missed dispatches, and refuses an unknown one with op 9', async () => {
    await setup();
    const first = await open();
    first.send(identify(discord.botToken, GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent));
    const ready = await first.next((f) => f.t === 'READY');
    await first.next((f) => f.t === 'GUILD_CREATE');
    discord.disconnectBot();
    await first.closed;
    expect(discord.isBotConnected()).toBe(false);

    // Sent while the bot is away: kept for the session and replayed on RESUME.
    discord.sendMessage({ channelId: guild.channelId('raffles'), author: { username: 'ana' }, content: 'while you were out' });

    const second = await open();
    await second.next((f) => f.op === 10);
    second.send({ op: 6, d: { token: discord.botToken, session_id: ready.d.session_id, seq: 2 } });
    const replayed = await second.next((f) => f.t === 'MESSAGE_CREATE');
    expect(replayed.s).toBe(3);
    expect(replayed.d.content).toBe('while you were out');
    const resumed = await second.next((f) => f.t === 'RESUMED');
    expect(resumed.s).toBe(4);
    expect(discord.isBotConnected()).toBe(true);

    const stranger = await open();
    stranger.send({ op: 6, d: { token: discord.botToken, session_id: 'nope', seq: 1 } });
    expect(await stranger.next((f) => f.op === 9)).toMatchObject({ op: 9, d: false });
  });

  it('deflates dispatches for IDENTIFY compress: true, and closes silent connections with 4009', async () => {
    discord = await createFakeDiscord({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 300, log: () => {} });
    guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
    const raw = await open('?v=10&encoding=json', 'per-payload');
    const binaryFrames: number[] = [];
    raw.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) binaryFrames.push(data.length);
    });
    raw.send({ ...identify(discord.botToken), d: { ...identify(discord.botToken).d, compress: true } });
    raw.send({ op: 1, d: null });
    expect(await raw.next((f) => f.t === 'READY')).toMatchObject({ op: 0, s: 1 });
    expect(await raw.next((f) => f.t === 'GUILD_CREATE')).toMatchObject({ op: 0, s: 2, d: { id: guild.id } });
    await raw.next((f) => f.op === 11);
    // Dispatches came deflated; HELLO and the ACK stayed plain JSON text.
    expect(binaryFrames).toHaveLength(2);
    // No further heartbeat: the stand-in gives up on the connection.
    expect(await raw.closed).toMatchObject({ code: 4009 });
  });

  it('speaks zlib-stream when asked, and refuses ETF', async () => {
    await setup();
    const raw = await open('?v=10&encoding=json&compress=zlib-stream');
    expect((await raw.next((f) => f.op === 10)).d.heartbeat_interval).toBe(5000);
    raw.send(identify(discord.botToken));
    await raw.next((f) => f.t === 'READY');
    expect((await raw.next((f) => f.t === 'GUILD_CREATE')).d.id).toBe(guild.id);

    await expect(RawGateway.open(`${discord.gatewayUrl}?v=10&encoding=etf`)).rejects.toThrow(/400/);
  });
});

describe('discord.js reconnecting on its own', () => {
  let harness: Harness;
  let guild: FakeGuild;
  afterEach(() => stopHarness(harness));

  const start = async () => {
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (discord) => {
      guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
    });
    return harness;
  };

  it('resumes after the connection drops and receives what was sent meanwhile', async () => {
    const { discord, client } = await start();
    const resumed = nextEvent(client, Events.ShardResume);
    discord.disconnectBot();
    expect(discord.isBotConnected()).toBe(false);
    const received = nextEvent<[Interaction]>(client, Events.InteractionCreate);
    const slash = discord.sendSlashCommand({ guildId: guild.id, channelId: guild.channelId('raffles'), user: { username: 'ana' }, name: 'raffle', subcommand: 'status' });
    await resumed;
    const [interaction] = await received;
    expect(interaction.id).toBe(slash.id);
    expect(discord.isBotConnected()).toBe(true);
    const resume = discord.gatewayEvents().find((e) => e.type === 'resume');
    expect(resume).toMatchObject({ replayed: 1 });
    // discord.js resumes on READY's resume_gateway_url.
    expect(discord.gatewayEvents().filter((e) => e.type === 'connect').map((e) => (e.type === 'connect' ? e.path : ''))).toEqual(['/gateway', '/gateway/resume']);
  });

  it('identifies again when the session is invalidated', async () => {
    const { discord, client } = await start();
    const first = discord.gatewayEvents().find((e) => e.type === 'identify');
    const reidentified = discord.waitForGatewayEvent((e) => e.type === 'identify' && e !== first);
    discord.disconnectBot({ invalidateSession: true });
    await reidentified;
    expect(discord.gatewayEvents()).toContainEqual(expect.objectContaining({ type: 'invalid_session', resumable: false }));
    await expect.poll(() => discord.isBotConnected()).toBe(true);
    const received = nextEvent<[Interaction]>(client, Events.InteractionCreate);
    discord.sendSlashCommand({ guildId: guild.id, channelId: guild.channelId('raffles'), user: { username: 'ana' }, name: 'raffle', subcommand: 'status' });
    expect((await received)[0].isChatInputCommand()).toBe(true);
  });

  it('resumes when told to reconnect (op 7), and client.destroy() ends the session', async () => {
    const { discord, client } = await start();
    const resumed = nextEvent(client, Events.ShardResume);
    discord.sendReconnect();
    await resumed;
    expect(discord.gatewayEvents()).toContainEqual(expect.objectContaining({ type: 'close', code: 4200, by: 'client' }));

    await client.destroy();
    await expect.poll(() => discord.isBotConnected()).toBe(false);
    expect(discord.gatewayEvents().at(-1)).toMatchObject({ type: 'close', code: 1000, by: 'client' });
    expect(() =>
      discord.sendSlashCommand({ guildId: guild.id, channelId: guild.channelId('raffles'), user: { username: 'ana' }, name: 'raffle', subcommand: 'status' }),
    ).toThrow(/no gateway session/);
  });
});
