import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConnectionState, DashboardApi } from '../graphql/client';

export const ApiContext = createContext<DashboardApi | null>(null);

export function useApi(): DashboardApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <App>');
  return api;
}

/** The live socket's state (connecting, connected, reconnecting, closed). */
export function useConnectionState(): ConnectionState {
  const { connection } = useApi();
  return useSyncExternalStore(connection.subscribe, connection.get);
}
