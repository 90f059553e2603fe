import { useTranslation } from 'react-i18next';

/** POST /auth/logout (same origin), then a fresh page: the session is gone server-side. */
export function LogoutButton() {
  const { t } = useTranslation();
  const logOut = async () => {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    window.location.assign('/dashboard');
  };
  return (
    <button type="button" data-testid="logout" onClick={() => void logOut()}>{t('session.logout')}</button>
  );
}
