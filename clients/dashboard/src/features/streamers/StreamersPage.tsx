import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { Viewer } from '../session/session.documents';

/** Every streamer the person may steer, and "connect my channel" while their own is not linked. */
export function StreamersPage({ viewer }: { viewer: Viewer }) {
  const { t } = useTranslation();
  const ownLinked = viewer.streamers.some((access) => access.role === 'OWNER' && access.streamer.linked);
  return (
    <section>
      {!ownLinked && (
        <div className="notice">
          <p>{t('session.connectIntro')}</p>
          <a data-testid="connect-channel" className="button primary" href="/auth/twitch/connect">{t('session.connectChannel')}</a>
        </div>
      )}
      <h1>{t('streamers.title')}</h1>
      {viewer.streamers.length === 0 && <p>{t('streamers.none')}</p>}
      <ul className="cards">
        {viewer.streamers.map(({ role, streamer }) => (
          <li key={streamer.id} data-testid="streamer-card" data-streamer-id={streamer.id} className="card">
            <h2>{streamer.displayName ?? streamer.login ?? streamer.id}</h2>
            <p>
              <span className="badge">{t(`streamers.role.${role}`)}</span>{' '}
              <span className={streamer.linked ? 'ok' : 'warn'}>{streamer.linked ? t('streamers.linked') : t('streamers.notLinked')}</span>
            </p>
            <Link href={`/streamers/${streamer.id}`} className="button">{t('streamers.open')}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
