import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import type { Chatter, ChatOwner, ChatSnapshot, ChatterSource } from '../../src/chatters/chatter';
import { contractOperation, execute } from '../support/graphql';
import { createScratchDatabase, redisAnswers } from '../support/services';
import { startTestApp, TEST_API_TOKEN, type TestApp, type TestAppOptions } from '../support/test-app';

/** Polls `probe` until it returns a value that is not undefined/false; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server on a spare port, which a test can kill and start again on the same port. */
export class SpareRedis {
  private process: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<SpareRedis> {
    const redis = new SpareRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.process = child;
    await until(`redis-server on port ${this.port}`, () => redisAnswers('127.0.0.1', this.port), 10_000);
  }

  /** SIGKILL: no goodbye to clients, like a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }
}


/**
 * A TCP proxy to Redis that delays what clients send by `delayMs` (order kept): a slow network
 * link, so that a SUBSCRIBE takes that long to become active.
 */
export async function startSlowLink(targetUrl: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 6379) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delayMs));
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `count` connections are subscribed to a channel on Redis (the subscription is live). */
export async function waitForRedisSubscribers(redisUrl: string, channel: string, count = 1): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  await redis.connect();
  try {
    await until(`${count} redis subscriber(s) on ${channel}`, async () => {
      const [, subscribers] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(subscribers) >= count;
    });
  } finally {
    redis.disconnect();
  }
}

export interface Cluster {
  apps: TestApp[];
  databaseUrl: string;
  chatters: InMemoryChatterSource;
  /** Crash an instance (app.kill()): no scheduler drain, no lease release. */
  kill(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** N instances on one scratch PostgreSQL database and one Redis, as in production behind a load balancer. */
export async function startCluster(options: {
  postgresUrl: string;
  redisUrl: string;
  count: number;
  env?: Record<string, string>;
  /** Per-instance environment on top of `env` (e.g. another REDIS_URL for one instance). */
  envFor?: (index: number) => Record<string, string>;
  /** Per-instance chatter source; default: one in-memory source shared by all. */
  chatterSource?: (index: number, shared: InMemoryChatterSource) => ChatterSource;
  extra?: Partial<TestAppOptions>;
}): Promise<Cluster> {
  const scratch = await createScratchDatabase(options.postgresUrl);
  const chatters = new InMemoryChatterSource();
  const apps: TestApp[] = [];
  const killed = new Set<number>();
  try {
    for (let index = 0; index < options.count; index += 1) {
      apps.push(
        await startTestApp({
          databaseUrl: scratch.url,
          instanceId: `api-${index}`,
          chatterSource: options.chatterSource?.(index, chatters) ?? chatters,
          env: { REDIS_URL: options.redisUrl, ...options.env, ...options.envFor?.(index) },
          ...options.extra,
        }),
      );
    }
  } catch (error) {
    for (const app of apps) await app.stop().catch(() => {});
    await scratch.drop();
    throw error;
  }
  return {
    apps,
    databaseUrl: scratch.url,
    chatters,
    async kill(index) {
      killed.add(index);
      await apps[index]!.app.kill();
    },
    async stop() {
      for (const [index, app] of apps.entries()) {
        if (!killed.has(index)) await app.stop().catch(() => {});
      }
      await scratch.drop();
    },
  };
}

/** A chatter source that can be held shut: snapshot waits while the gate is closed. */
export class GatedChatterSource implements ChatterSource {
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  waiting = 0;
  constructor(private readonly inner: ChatterSource) {}

  close(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  open(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  async snapshot(owner: ChatOwner): Promise<ChatSnapshot> {
    const gate = this.gate;
    if (gate) {
      this.waiting += 1;
      await gate.promise;
      this.waiting -= 1;
    }
    return this.inner.snapshot(owner);
  }
}

export interface RoundRow {
  id: string;
  number: number;
  outcome: string;
  at: string;
  winner: { userId: string } | null;
  item: { id: string; name: string } | null;
}

/** Every round of a raffle through the contract's RaffleRounds, following the cursor. */
export async function allRounds(baseUrl: string, raffleId: string): Promise<{ raffle: any; rounds: RoundRow[] }> {
  const rounds: RoundRow[] = [];
  let after: string | undefined;
  let raffle: any;
  for (;;) {
    const data = await execute(baseUrl, contractOperation('RaffleRounds'), { raffleId, first: 100, after });
    raffle = data.raffle;
    rounds.push(...data.raffle.rounds.edges.map((edge: any) => edge.node));
    if (!data.raffle.rounds.pageInfo.hasNextPage) break;
    after = data.raffle.rounds.pageInfo.endCursor;
  }
  return { raffle, rounds };
}

/** Round numbers must be exactly 1..n: none missing, none twice. */
export function expectContiguous(rounds: Array<{ number: number }>): void {
  const numbers = rounds.map((round) => round.number).sort((a, b) => a - b);
  const expected = Array.from({ length: numbers.length }, (_, index) => index + 1);
  if (JSON.stringify(numbers) !== JSON.stringify(expected)) {
    const missing = expected.filter((n) => !numbers.includes(n));
    const twice = numbers.filter((n, index) => numbers.indexOf(n) !== index);
    throw new Error(`round numbers are not 1..${numbers.length}: missing ${JSON.stringify(missing)}, twice ${JSON.stringify(twice)}`);
  }
}

/** A raw graphql-transport-ws client, for protocol cases a well-behaved client never produces. */
export class RawWs {
  readonly messages: any[] = [];
  /** The text of every message, as received (messages[i] is texts[i] parsed). */
  readonly texts: string[] = [];
  receivedBytes = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(
    baseUrl: string,
    options: { protocol?: string | null; origin?: string; autoPong?: boolean } = {},
  ) {
    const protocol = options.protocol === undefined ? 'graphql-transport-ws' : options.protocol;
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, protocol ? [protocol] : [], {
      ...(options.origin ? { origin: options.origin } : {}),
      autoPong: options.autoPong ?? true,
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
      this.socket.once('error', reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.socket.on('message', (data) => {
      this.receivedBytes += (data as Buffer).length;
      this.texts.push(data.toString());
      this.messages.push(JSON.parse(data.toString()));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  readonly socket: WebSocket;

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  init(payload: Record<string, unknown> = { authorization: `Bearer ${TEST_API_TOKEN}` }): void {
    this.send({ type: 'connection_init', payload });
  }

  /** Waits for the first message (after index `from`) that matches. */
  async waitFor(match: (message: any) => boolean, timeoutMs = 10_000, from = 0): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async closedWithin(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      sleep(timeoutMs).then(() => {
        throw new Error(`socket still open after ${timeoutMs} ms`);
      }),
    ]);
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** A GraphQL subscription over SSE (yoga's `Accept: text/event-stream`), with our auth headers. */
export async function openSse(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<{
  status: number;
  /** Resolves when the server ends the stream (or it is closed here). */
  ended: Promise<void>;
  /** Every event received so far, taken by next() or not. */
  received: Array<{ event: string; data: any }>;
  next(timeoutMs?: number): Promise<{ event: string; data: any }>;
  close(): void;
}> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: Array<{ event: string; data: any }> = [];
  let ended = false;
  const received: Array<{ event: string; data: any }> = [];
  let wake: (() => void) | undefined;
  let markEnded!: () => void;
  const endedPromise = new Promise<void>((resolve) => (markEnded = resolve));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trim());
          }
          if (block.split('\n').every((line) => line.startsWith(':'))) continue; // keep-alive comment
          const text = data.join('\n');
          events.push({ event, data: text ? JSON.parse(text) : null });
          received.push(events.at(-1)!);
          wake?.();
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      markEnded();
      wake?.();
    }
  })();
  return {
    status: response.status,
    ended: endedPromise,
    received,
    async next(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        if (ended) throw new Error('SSE stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return events.shift()!;
    },
    close: () => controller.abort(),
  };
}
