import { Provider } from 'urql';
import { Route, Router, Switch } from 'wouter';
import type { DashboardApi } from '../graphql/client';
import { ApiContext } from './api-context';
import { Header } from './Header';
import { LoginPage, SessionGate } from '../features/session/SessionGate';
import { StreamersPage } from '../features/streamers/StreamersPage';
import { StreamerPage } from '../features/streamers/StreamerPage';

/** Routes under /dashboard: the streamers list, then one streamer with its tabs. */
export function App({ api }: { api: DashboardApi }) {
  return (
    <ApiContext.Provider value={api}>
      <Provider value={api.urql}>
        <Router base="/dashboard">
          <SessionGate>
            {(viewer) => (
              <>
                <Header viewer={viewer} />
                {viewer === null ? <LoginPage /> : (
                <main>
                  <Switch>
                    <Route path="/streamers/:id/:tab?">
                      {(params) => <StreamerPage viewer={viewer} streamerId={params.id} tab={params.tab ?? 'control'} />}
                    </Route>
                    <Route>
                      <StreamersPage viewer={viewer} />
                    </Route>
                  </Switch>
                </main>
                )}
              </>
            )}
          </SessionGate>
        </Router>
      </Provider>
    </ApiContext.Provider>
  );
}
