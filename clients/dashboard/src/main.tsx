import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { createDashboardApi } from './graphql/client';
import { initI18n } from './i18n/i18n';
import './styles.css';

void initI18n().then(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App api={createDashboardApi()} />
    </StrictMode>,
  );
});
