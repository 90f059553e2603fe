import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { LANGUAGES, setLanguage, type Language } from '../i18n/i18n';
import { LogoutButton } from '../features/session/LogoutButton';
import type { Viewer } from '../features/session/session.documents';

export function Header({ viewer }: { viewer: Viewer | null }) {
  const { t, i18n } = useTranslation();
  return (
    <header className="top">
      <Link href="/" className="brand">{t('app.title')}</Link>
      <span className="spacer" />
      <label className="lang">
        {t('app.language')}{' '}
        <select value={i18n.language} onChange={(event) => setLanguage(event.target.value as Language)} name="language">
          {LANGUAGES.map((language) => (
            <option key={language} value={language}>{language === 'en' ? 'English' : 'Português (Brasil)'}</option>
          ))}
        </select>
      </label>
      {viewer && (
        <>
          <span className="who">{t('session.hello', { name: viewer.displayName })}</span>
          <LogoutButton />
        </>
      )}
    </header>
  );
}
