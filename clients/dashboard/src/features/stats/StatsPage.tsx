import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { LatestRafflesQuery, RaffleStatsQuery } from './stats.documents';
import { wilsonInterval } from './wilson';

const percent = (value: number) => `${Math.round(value * 1000) / 10}%`;

/** Observed vs expected share per prize (95% Wilson interval) and wins over time, for one raffle. Lazy-loaded with Recharts. */
export default function StatsPage({ streamerId }: { streamerId: string }) {
  const { t, i18n } = useTranslation();
  const [{ data: list }] = useQuery({ query: LatestRafflesQuery, variables: { streamerId }, requestPolicy: 'network-only' });
  const raffles = list?.streamer?.raffles.edges.map((edge) => edge.node) ?? [];
  const [raffleId, setRaffleId] = useState<string | null>(null);
  useEffect(() => {
    if (!raffleId && raffles[0]) setRaffleId(raffles[0].id);
  }, [raffles, raffleId]);
  const [{ data }] = useQuery({ query: RaffleStatsQuery, variables: { raffleId: raffleId ?? '' }, pause: !raffleId, requestPolicy: 'network-only' });
  const raffle = data?.raffle;
  if (list && raffles.length === 0) return <p className="muted">{t('stats.none')}</p>;

  const stats = raffle?.stats;
  const odds = (stats?.items ?? []).map((entry) => {
    const interval = wilsonInterval(entry.wins, stats?.wins ?? 0);
    return {
      name: entry.item.name,
      observed: entry.observedShare,
      expected: entry.expectedShare,
      wins: entry.wins,
      interval: [Math.max(0, entry.observedShare - interval.low), Math.max(0, interval.high - entry.observedShare)] as [number, number],
    };
  });
  const overTime = (raffle?.winners ?? []).map((win, index) => ({ at: new Date(win.at).toLocaleTimeString(i18n.language), wins: index + 1 }));

  return (
    <div className="stats">
      <div className="row">
        <label className="field">
          <span>{t('history.raffles')}</span>
          <select value={raffleId ?? ''} onChange={(event) => setRaffleId(event.target.value)} name="raffle">
            {raffles.map((entry) => (
              <option key={entry.id} value={entry.id}>{new Date(entry.startedAt).toLocaleString(i18n.language)} · {entry.roundCount}</option>
            ))}
          </select>
        </label>
        {stats && <p data-testid="stats-summary">{t('stats.summary', { wins: stats.wins, rounds: stats.rounds })}</p>}
      </div>
      <div className="panel wide">
        <h2>{t('stats.odds')}</h2>
        <p className="muted">{t('stats.interval')}</p>
        <div data-testid="odds-chart" data-items={odds.length} className="chart">
          <ResponsiveContainer width="100%" height={320}>
            <BarChart data={odds} margin={{ top: 10, right: 20, bottom: 10, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis tickFormatter={percent} domain={[0, 1]} />
              <Tooltip formatter={(value) => (typeof value === 'number' ? percent(value) : String(value))} />
              <Legend />
              <Bar dataKey="observed" name={t('stats.observed')} fill="#7c5cff" isAnimationActive={false}>
                <ErrorBar dataKey="interval" width={6} stroke="#222" />
              </Bar>
              <Bar dataKey="expected" name={t('stats.expected')} fill="#2fbf71" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </div>
      <div className="panel wide">
        <h2>{t('stats.winsOverTime')}</h2>
        <div data-testid="wins-chart" className="chart">
          <ResponsiveContainer width="100%" height={240}>
            <LineChart data={overTime} margin={{ top: 10, right: 20, bottom: 10, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="at" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Line type="stepAfter" dataKey="wins" name={t('stats.wins')} stroke="#7c5cff" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </div>
    </div>
  );
}
