import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../pubsub/event-bus';

/** `/health`: the process is up. `/ready`: the database and pub/sub answer. */
export function healthRoutes(services: { events: Pick<EventBus, 'ping'> }, pingDatabase: () => Promise<void>): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
    app.get('/ready', async (_request, reply) => {
      const [database, pubsub] = await Promise.all([check(pingDatabase), check(() => services.events.ping())]);
      const ready = database === 'ok' && pubsub === 'ok';
      return reply
        .status(ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: ready ? 'ready' : 'not ready', database, pubsub });
    });
  };
}

async function check(probe: () => Promise<void>): Promise<string> {
  try {
    await withTimeout(probe(), 2_000);
    return 'ok';
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);
}
