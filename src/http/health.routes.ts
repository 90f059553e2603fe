import type { EventBus } from '../pubsub/event-bus';
import { exactPath, sendJson, type Route } from './routes';

/** `/health`: the process is up. `/ready`: the database and pub/sub answer. */
export function healthRoutes(services: { events: Pick<EventBus, 'ping'> }, pingDatabase: () => Promise<void>): Route[] {
  return [
    {
      method: 'GET',
      match: exactPath('/health'),
      handle: async (_request, response) => sendJson(response, 200, { status: 'ok' }),
    },
    {
      method: 'GET',
      match: exactPath('/ready'),
      handle: async (_request, response) => {
        const [database, pubsub] = await Promise.all([check(pingDatabase), check(() => services.events.ping())]);
        const ready = database === 'ok' && pubsub === 'ok';
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', database, pubsub });
      },
    },
  ];
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
