import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisTarget } from './event-bus';

/**
 * Where pub/sub goes: REDIS_CLUSTER_NODES names a cluster; REDIS_URL names one server or a node of
 * a cluster, which is asked once at start (`INFO cluster`: cluster_enabled:1 means a cluster,
 * found from that node). A server that does not answer within `timeoutMs` is taken as a single
 * server (the bus reconnects to it as before).
 */
export async function resolveRedisTarget(
  config: { redisUrl: string | undefined; redisClusterNodes: string[] | undefined },
  logger: Logger,
  timeoutMs = 2_000,
): Promise<RedisTarget | undefined> {
  if (config.redisClusterNodes) return { clusterNodes: config.redisClusterNodes };
  if (!config.redisUrl) return undefined;
  const probe = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  probe.on('error', () => {});
  try {
    await probe.connect();
    const info = await Promise.race([
      probe.info('cluster'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), timeoutMs).unref()),
    ]);
    if (/^cluster_enabled:1\b/m.test(info)) {
      logger.info('REDIS_URL names a Redis Cluster node: sharded pub/sub over the cluster');
      return { clusterNodes: [config.redisUrl] };
    }
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not ask Redis whether it is a cluster; using it as one server');
  } finally {
    probe.disconnect();
  }
  return { url: config.redisUrl };
}
