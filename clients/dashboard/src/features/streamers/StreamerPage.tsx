import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useQuery } from 'urql';
import type { Viewer } from '../session/session.documents';
import { StreamerOverviewQuery } from './streamer.documents';
import { StreamerOverview } from './StreamerOverview';
import { EditorsPanel } from './EditorsPanel';
import { ItemsPanel } from '../items/ItemsPanel';
import { RafflePanel } from '../raffle/RafflePanel';
import { HistoryPage } from '../history/HistoryPage';
import { OverlayStudio } from '../overlay-studio/OverlayStudio';

/** The statistics tab pulls in the chart library: loaded only when opened. */
const StatsPage = lazy(() => import('../stats/StatsPage'));

const TABS = ['control', 'history', 'stats', 'overlay'] as const;

export function StreamerPage({ viewer, streamerId, tab }: { viewer: Viewer; streamerId: string; tab: string }) {
  const { t } = useTranslation();
  const access = viewer.streamers.find((entry) => entry.streamer.id === streamerId);
  const [{ data, error }] = useQuery({ query: StreamerOverviewQuery, variables: { id: streamerId }, pause: !access });
  if (!access) return <p role="alert">{t('streamers.none')}</p>;
  const streamer = data?.streamer;
  return (
    <section>
      <Link href="/" className="back">{t('streamers.back')}</Link>
      <h1>{access.streamer.displayName ?? access.streamer.login ?? streamerId}</h1>
      <nav className="tabs">
        {TABS.map((name) => (
          <Link key={name} href={name === 'control' ? `/streamers/${streamerId}` : `/streamers/${streamerId}/${name}`} className={tab === name ? 'active' : ''}>
            {t(`tabs.${name}`)}
          </Link>
        ))}
      </nav>
      {error && <p role="alert">{t('app.error', { message: error.message })}</p>}
      {tab === 'control' && (
        <div className="grid">
          {streamer && <StreamerOverview streamer={streamer} />}
          <RafflePanel streamerId={streamerId} />
          <ItemsPanel streamerId={streamerId} />
          {streamer && <EditorsPanel streamerId={streamerId} editors={streamer.editors} canManage={access.role === 'OWNER'} />}
        </div>
      )}
      {tab === 'history' && <HistoryPage streamerId={streamerId} />}
      {tab === 'stats' && (
        <Suspense fallback={<p className="loading">{t('app.loading')}</p>}>
          <StatsPage streamerId={streamerId} />
        </Suspense>
      )}
      {tab === 'overlay' && <OverlayStudio streamerId={streamerId} />}
    </section>
  );
}
