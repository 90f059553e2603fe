import { createClient as createWebSocketClient, type Client as WebSocketClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';

/** Where the live socket stands, for the connection badge. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface DashboardApi {
  urql: Client;
  ws: WebSocketClient;
  connection: { get(): ConnectionState; subscribe(listener: () => void): () => void };
}

/**
 * One urql client for queries and mutations (same origin, the HttpOnly session cookie goes along)
 * and one graphql-ws socket for subscriptions (the server takes the person from the upgrade's
 * cookie). The socket retries for ever with graphql-ws' backoff; its state is observable.
 */
export function createDashboardApi(location: Location = window.location): DashboardApi {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  let state: ConnectionState = 'closed';
  let everConnected = false;
  const listeners = new Set<() => void>();
  const set = (next: ConnectionState) => {
    state = next;
    for (const listener of listeners) listener();
  };
  const ws = createWebSocketClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // 0.5 s, 1 s, 2 s … at most 5 s between attempts, with jitter so many tabs do not reconnect in step.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5_000) + Math.random() * 300)),
    on: {
      connecting: () => set(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        set('connected');
      },
      closed: () => set(everConnected ? 'reconnecting' : 'closed'),
    },
  });
  // The browser knows before the socket does: going offline ends the socket now (graphql-ws
  // then retries, and the subscriptions resume from the last round seen).
  globalThis.addEventListener?.('offline', () => ws.terminate());
  const urql = new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'same-origin' },
    // POST: every cookie-authenticated request carries Origin, which the API's CSRF check reads.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
  return {
    urql,
    ws,
    connection: {
      get: () => state,
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
}
