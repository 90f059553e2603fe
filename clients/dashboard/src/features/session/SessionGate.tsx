import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { ViewerQuery, type Viewer } from './session.documents';

/** Who is logged in: `children(null)` without a session (UNAUTHENTICATED). */
export function SessionGate({ children }: { children: (viewer: Viewer | null) => ReactNode }) {
  const { t } = useTranslation();
  const [{ data, error, fetching }] = useQuery({ query: ViewerQuery });
  if (fetching && !data) return <p className="loading">{t('app.loading')}</p>;
  const unauthenticated = error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
  if (unauthenticated || (!error && !data?.viewer)) return <>{children(null)}</>;
  if (error || !data?.viewer) return <p role="alert">{t('app.error', { message: error?.message ?? '' })}</p>;
  return <>{children(data.viewer)}</>;
}

export function LoginPage() {
  const { t } = useTranslation();
  return (
    <main className="login">
      <p>{t('session.loginIntro')}</p>
      <a data-testid="login" className="button primary" href="/auth/login">{t('session.login')}</a>
    </main>
  );
}
