import { setMaxListeners } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Repeater } from '@graphql-yoga/subscription';
import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { channelOf, topicGuards, type TopicKey, type TopicName, type TopicPayload, type Topics } from './topics';

export interface EventBus {
  kind: 'redis' | 'in-process';
  /**
   * Never throws and never leaves a rejected promise behind: a notification that cannot be sent
   * is logged (and, on Redis, re-sent once the connection is back); clients that missed it catch
   * up from the database, which is the truth.
   */
  publish<T extends TopicName>(topic: T, ...args: Topics[T]): void;
  /**
   * Events of one topic and key. Bounded: a subscription whose consumer lets more than
   * `maxPendingPerSubscription` events wait ends with SubscriberTooSlowError instead of growing.
   */
  subscribe<T extends TopicName>(topic: T, key: TopicKey<T>): AsyncIterableIterator<TopicPayload<T>>;
  /**
   * Called whenever the delivery path was interrupted and is whole again (the Redis subscriber
   * reconnected and re-subscribed): events published meanwhile were lost, so subscribers look up
   * what they missed. Never called for the in-process bus. Returns the unsubscribe function.
   */
  onResync(listener: () => void): () => void;
  /**
   * Resolves once every subscription started so far is active (on Redis: its SUBSCRIBE was
   * answered), so a look-up in the database made afterwards cannot miss an event published in
   * between. Gives up after `timeoutMs` (Redis away) and resolves anyway.
   */
  whenLive(timeoutMs?: number): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface EventBusOptions {
  /** Events one subscription may have waiting for its consumer before it is ended (default 256). */
  maxPendingPerSubscription?: number;
  /** Failed Redis publishes kept to re-send after a reconnect; the oldest go first (default 1000). */
  maxUnsent?: number;
  /** How often the Redis subscriber connection is pinged to detect a dead link (default 15 s). */
  healthCheckMs?: number;
}

/** Ends a subscription whose consumer does not keep up, so it cannot hold memory without bound. */
export class SubscriberTooSlowError extends Error {
  constructor(limit: number) {
    super(
      `Subscription ended: more than ${limit} events were waiting for this client. ` +
        'Subscribe again and catch up with roundsSince after the last round id you saw.',
    );
    this.name = 'SubscriberTooSlowError';
  }
}

interface EventTargetLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  dispatchEvent(event: Event): boolean;
}

/** Dispatches to the event target; a failure is logged, never thrown (clients catch up by id). */
function publishVia(target: EventTarget, logger: Logger): EventBus['publish'] {
  return (topic, key, payload) => {
    try {
      target.dispatchEvent(new CustomEvent(channelOf(topic, key), { detail: payload }));
    } catch (error) {
      logger.error({ err: error, topic }, 'publish failed');
    }
  };
}

/**
 * Where the Redis pub/sub lives: one server (a URL), or a Redis Cluster (its nodes, URLs or
 * host:port; ioredis finds the rest), where channels are sharded (SPUBLISH/SSUBSCRIBE, Redis 7).
 */
export type RedisTarget = { url: string } | { clusterNodes: string[] };

/**
 * Redis when a target is given (a URL: one server), else in-process. Two clients: one publishes,
 * one subscribes; on a cluster the subscriber holds one connection per master (sharded channels).
 */
export function createEventBus(redis: string | RedisTarget | undefined, logger: Logger, options: EventBusOptions = {}): EventBus {
  const maxPending = options.maxPendingPerSubscription ?? 256;
  const target = typeof redis === 'string' ? { url: redis } : redis;
  if (!target) {
    const target = new EventTarget();
    // Many subscribers per channel is normal (one per overlay, bot, dashboard): no leak warning.
    setMaxListeners(0, target);
    return {
      kind: 'in-process',
      publish: publishVia(target, logger),
      subscribe: (topic, key) => boundedSubscription(target, topic, key, maxPending, logger),
      onResync: () => () => {},
      whenLive: async () => {},
      ping: async () => {},
      close: async () => {},
    };
  }
  return createRedisEventBus('url' in target ? standaloneClients(target.url) : clusterClients(target.clusterNodes), logger, {
    ...options,
    maxPendingPerSubscription: maxPending,
  });
}

/** The two clients of a Redis bus and the commands that differ between one server and a cluster. */
interface PubSubClients {
  mode: 'server' | 'cluster';
  publisher: Redis | Cluster;
  subscriber: Redis | Cluster;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  onMessage(handler: (channel: string, message: string) => void): void;
}

function standaloneClients(url: string): PubSubClients {
  // Publisher: no offline queue, so a publish during an outage fails at once and is kept below
  // for a re-send, instead of waiting in ioredis' queue for an unknown time.
  const publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'kinoyu-publish' });
  // Subscriber: commands wait for the connection; ioredis re-subscribes every channel on reconnect.
  // No connectionName here: ioredis sends CLIENT SETNAME on connect, and when a SUBSCRIBE got on
  // the wire first (seen on Node 24) Redis refuses it ("only subscriber commands may be used"),
  // the connection errors and that channel's subscription is lost.
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, autoResubscribe: true });
  return {
    mode: 'server',
    publisher,
    subscriber,
    publish: (channel, message) => publisher.publish(channel, message),
    subscribe: (channel) => subscriber.subscribe(channel),
    unsubscribe: (channel) => subscriber.unsubscribe(channel),
    onMessage: (handler) => subscriber.on('message', handler),
  };
}

/**
 * A Redis Cluster: a channel lives on the master of its slot (SPUBLISH goes there, SSUBSCRIBE
 * listens there), so pub/sub traffic is spread over the masters instead of broadcast to all.
 * ioredis' sharded subscribers hold one connection per master and move channels when slots move.
 */
function clusterClients(nodes: string[]): PubSubClients {
  const publisher = new Cluster(nodes, {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1, connectionName: 'kinoyu-publish' },
  });
  const subscriber = new Cluster(nodes, {
    shardedSubscribers: true,
    // A master that went away (restart, failover) is reconnected; ioredis re-subscribes its channels.
    clusterNodeRetryStrategy: (times) => Math.min(100 * times, 2_000),
    redisOptions: { maxRetriesPerRequest: null, autoResubscribe: true },
  });
  return {
    mode: 'cluster',
    publisher,
    subscriber,
    publish: (channel, message) => publisher.spublish(channel, message),
    subscribe: (channel) => subscriber.ssubscribe(channel),
    unsubscribe: (channel) => subscriber.sunsubscribe(channel),
    onMessage: (handler) => subscriber.on('smessage', handler),
  };
}

function createRedisEventBus(clients: PubSubClients, logger: Logger, options: EventBusOptions): EventBus {
  const maxPending = options.maxPendingPerSubscription!;
  const maxUnsent = options.maxUnsent ?? 1_000;
  let closing = false;
  const { publisher, subscriber } = clients;
  for (const [role, client] of [['publish', publisher], ['subscribe', subscriber]] as const) {
    let lastWarning = 0;
    client.on('error', (error: Error) => {
      if (closing || Date.now() - lastWarning < 5_000) return;
      lastWarning = Date.now();
      logger.warn({ role, err: error.message }, 'redis connection error');
    });
    client.on('ready', () => logger.info({ role }, 'redis connection ready'));
  }

  // Publishes that failed, re-sent when the publisher is ready again (subscribers dedupe by id).
  const unsent: Array<{ channel: string; message: string }> = [];
  let droppedUnsent = 0;
  const send = (channel: string, message: string): Promise<void> =>
    clients.publish(channel, message).then(
      () => undefined,
      (error: Error) => {
        if (closing) return;
        if (unsent.length >= maxUnsent) {
          unsent.shift();
          droppedUnsent += 1;
        }
        unsent.push({ channel, message });
        logger.warn({ err: error.message, channel, unsent: unsent.length, droppedUnsent }, 'publish to redis failed; kept to re-send');
      },
    );
  publisher.on('ready', () => {
    const batch = unsent.splice(0);
    if (batch.length === 0) return;
    logger.info({ count: batch.length, droppedUnsent }, 're-sending publishes that failed while redis was away');
    droppedUnsent = 0;
    for (const { channel, message } of batch) void send(channel, message);
  });

  // The event target issues SUBSCRIBE/UNSUBSCRIBE without awaiting them; on a dead or closing
  // connection they reject, so catch here (an unhandled rejection would end the process).
  // Subscribes not answered yet (a cluster's whenLive waits for them).
  const pendingSubscribes = new Set<Promise<unknown>>();
  const guardedSubscriber = {
    on: (_event: 'message', handler: (channel: string, message: string) => void) => clients.onMessage(handler),
    subscribe: (channel: string) => {
      const pending = clients.subscribe(channel).catch((error: Error) => {
        if (!closing) logger.error({ err: error.message, channel }, 'redis SUBSCRIBE failed');
      });
      pendingSubscribes.add(pending);
      void pending.finally(() => pendingSubscribes.delete(pending));
      return pending;
    },
    unsubscribe: (channel: string) =>
      clients.unsubscribe(channel).catch((error: Error) => {
        if (!closing) logger.warn({ err: error.message, channel }, 'redis UNSUBSCRIBE failed');
      }),
  };
  const guardedPublisher = { publish: send };
  const target: EventTargetLike = createRedisEventTarget({
    publishClient: guardedPublisher as unknown as Redis,
    subscribeClient: guardedSubscriber as unknown as Redis,
    serializer: {
      stringify: (value: unknown) => JSON.stringify(value),
      // Malformed text becomes undefined, which the topic guard drops (never a throw inside ioredis).
      parse: (text: string) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      },
    },
  });

  // After every (re)connection ioredis re-sends SUBSCRIBE for all channels before emitting
  // 'ready'; a PING queued behind them answers once they are active. Only then are subscribers
  // told to catch up, so nothing published after their look-up can fall in between.
  const resyncListeners = new Set<() => void>();
  subscriber.on('ready', () => {
    subscriber.ping().then(
      () => {
        for (const listener of resyncListeners) {
          try {
            listener();
          } catch (error) {
            logger.error({ err: error }, 'resync listener failed');
          }
        }
      },
      (error: Error) => logger.warn({ err: error.message }, 'redis subscriber did not answer after reconnecting'),
    );
  });

  // A half-open TCP link delivers nothing and reports nothing: ping the subscriber and force a
  // reconnect (which resubscribes and resyncs) when it stops answering.
  const healthCheckMs = options.healthCheckMs ?? 15_000;
  const healthTimer = setInterval(() => {
    if (subscriber.status !== 'ready') return;
    const timeout = setTimeout(() => {
      logger.warn('redis subscriber stopped answering pings; reconnecting');
      subscriber.disconnect(true);
    }, Math.min(5_000, healthCheckMs));
    subscriber.ping().then(
      () => clearTimeout(timeout),
      () => clearTimeout(timeout),
    );
  }, healthCheckMs);
  healthTimer.unref();

  return {
    kind: 'redis',
    publish: publishVia(target, logger),
    subscribe: (topic, key) => boundedSubscription(target, topic, key, maxPending, logger),
    onResync(listener) {
      resyncListeners.add(listener);
      return () => resyncListeners.delete(listener);
    },
    async whenLive(timeoutMs = 5_000) {
      // One server: commands run in order on the subscriber connection, so a PING sent now is
      // answered after every SUBSCRIBE sent before it. A cluster subscribes on one connection
      // per master: wait for the SSUBSCRIBEs themselves.
      let timer: NodeJS.Timeout | undefined;
      const live =
        clients.mode === 'server' ? subscriber.ping().catch(() => undefined) : Promise.all([...pendingSubscribes]).then(() => undefined);
      await Promise.race([
        live,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
    async ping() {
      if (subscriber.status !== 'ready') throw new Error(`redis subscriber connection is ${subscriber.status}`);
      await publisher.ping();
    },
    async close() {
      closing = true;
      clearInterval(healthTimer);
      resyncListeners.clear();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * One subscription on the event target as an async iterator. Payloads failing the topic's guard
 * are dropped; when more than `maxPending` events wait for the consumer the subscription ends with
 * SubscriberTooSlowError (the listener itself never throws, whatever the consumer does).
 */
function boundedSubscription<T extends TopicName>(
  target: EventTargetLike,
  topic: T,
  key: TopicKey<T>,
  maxPending: number,
  logger: Logger,
): AsyncIterableIterator<TopicPayload<T>> {
  const channel = channelOf(topic, key);
  const guard = topicGuards[topic] as (value: unknown) => value is TopicPayload<T>;
  return new Repeater<TopicPayload<T>>((push, stop) => {
    let waiting = 0;
    const listener = (event: Event) => {
      const payload = (event as CustomEvent<unknown>).detail;
      if (!guard(payload)) {
        logger.warn({ channel }, 'dropped an event whose payload does not fit its topic');
        return;
      }
      if (waiting >= maxPending) {
        target.removeEventListener(channel, listener);
        logger.warn({ channel, waiting }, 'subscriber too slow: ending its subscription');
        void stop(new SubscriberTooSlowError(maxPending));
        return;
      }
      waiting += 1;
      // push settles when the consumer has taken the value and asks for the next one.
      push(payload).then(
        () => (waiting -= 1),
        () => (waiting -= 1),
      );
    };
    target.addEventListener(channel, listener);
    void stop.then(() => target.removeEventListener(channel, listener));
  });
}
