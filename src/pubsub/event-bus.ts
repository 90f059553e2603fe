import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Topics } from './topics';

type PubSub = ReturnType<typeof createPubSub<Topics>>;

export interface EventBus {
  kind: 'redis' | 'in-process';
  /** Never throws: a lost notification is recovered by clients catching up from the database. */
  publish<T extends keyof Topics>(topic: T, ...args: Topics[T]): void;
  subscribe: PubSub['subscribe'];
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set (two connections: one publishes, one subscribes), else in-process. */
export function createEventBus(redisUrl: string | undefined, logger: Logger): EventBus {
  if (!redisUrl) {
    const pubsub = createPubSub<Topics>();
    return {
      kind: 'in-process',
      publish: (topic, ...args) => pubsub.publish(topic, ...args),
      subscribe: pubsub.subscribe,
      ping: async () => {},
      close: async () => {},
    };
  }
  const connectionOptions = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false };
  const publishClient = new Redis(redisUrl, connectionOptions);
  const subscribeClient = new Redis(redisUrl, { ...connectionOptions, maxRetriesPerRequest: null });
  for (const [role, client] of [['publish', publishClient], ['subscribe', subscribeClient]] as const) {
    client.on('error', (error) => logger.warn({ role, err: error.message }, 'redis connection error'));
    client.on('ready', () => logger.info({ role }, 'redis connection ready'));
  }
  // The event target fires publishes without awaiting them; catch here so a Redis outage is a log
  // line, not an unhandled rejection.
  const guardedPublisher = {
    publish: (channel: string, message: string) =>
      publishClient.publish(channel, message).catch((error: Error) => {
        logger.error({ err: error.message, channel }, 'publish to redis failed');
        return 0;
      }),
  } as unknown as Redis;
  const eventTarget = createRedisEventTarget({
    publishClient: guardedPublisher,
    subscribeClient,
  });
  const pubsub = createPubSub<Topics>({ eventTarget: eventTarget as never });
  return {
    kind: 'redis',
    publish(topic, ...args) {
      try {
        pubsub.publish(topic, ...args);
      } catch (error) {
        logger.error({ err: error, topic }, 'publish failed');
      }
    },
    subscribe: pubsub.subscribe,
    async ping() {
      await publishClient.ping();
    },
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
