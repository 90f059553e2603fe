import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useQuery } from 'urql';
import type { ResultOf } from '../../graphql/graphql';
import { schemaFeatures } from '../../graphql/schema-features';
import { HistoryRoundFields, RafflesPage, RoundsPage, RoundsPageByOutcome } from './history.documents';

type Round = ResultOf<typeof HistoryRoundFields>;
const OUTCOMES = ['ALL', 'WINNER', 'SKIPPED', 'NO_ELIGIBLE_CHATTERS', 'NO_ITEMS'] as const;
type OutcomeFilter = (typeof OUTCOMES)[number];
const PAGE = 20;

/** Raffles (newest first, cursor paging) and the rounds of the chosen one (cursor paging, outcome filter, CSV). */
export function HistoryPage({ streamerId }: { streamerId: string }) {
  const { t, i18n } = useTranslation();
  const [after, setAfter] = useState<string | null>(null);
  const [raffles, setRaffles] = useState<Array<NonNullable<ResultOf<typeof RafflesPage>['streamer']>['raffles']['edges'][number]['node']>>([]);
  const [{ data }] = useQuery({ query: RafflesPage, variables: { streamerId, first: PAGE, after }, requestPolicy: 'network-only' });
  const [selected, setSelected] = useState<string | null>(null);
  const page = data?.streamer?.raffles;
  useEffect(() => {
    if (!page) return;
    setRaffles((current) => {
      const known = new Set(current.map((raffle) => raffle.id));
      return [...current, ...page.edges.map((edge) => edge.node).filter((raffle) => !known.has(raffle.id))];
    });
  }, [page]);
  useEffect(() => {
    if (!selected && raffles[0]) setSelected(raffles[0].id);
  }, [raffles, selected]);

  return (
    <div className="history">
      <div className="panel">
        <h2>{t('history.raffles')}</h2>
        {raffles.length === 0 && <p className="muted">{t('history.none')}</p>}
        <ul className="list">
          {raffles.map((raffle) => (
            <li key={raffle.id} data-testid="history-raffle" className={raffle.id === selected ? 'active' : ''}>
              <button type="button" className="link" onClick={() => setSelected(raffle.id)}>
                {new Date(raffle.startedAt).toLocaleString(i18n.language)} · {t(`raffle.statusValue.${raffle.status}`)} · {t('history.rounds_count')}: {raffle.roundCount}
              </button>
            </li>
          ))}
        </ul>
        {page?.pageInfo.hasNextPage && (
          <button type="button" onClick={() => setAfter(page.pageInfo.endCursor ?? null)}>{t('history.more')}</button>
        )}
      </div>
      {selected ? <RoundsTable key={selected} raffleId={selected} /> : <p className="muted">{t('history.choose')}</p>}
    </div>
  );
}

function RoundsTable({ raffleId }: { raffleId: string }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const [outcome, setOutcome] = useState<OutcomeFilter>('ALL');
  const [rounds, setRounds] = useState<Round[]>([]);
  const [cursor, setCursor] = useState<{ next: string | null; more: boolean }>({ next: null, more: false });
  const [loading, setLoading] = useState(false);

  const load = async (after: string | null, reset: boolean) => {
    setLoading(true);
    const serverFilter = schemaFeatures.roundsOutcomeFilter && outcome !== 'ALL';
    const result = serverFilter
      ? await client.query(RoundsPageByOutcome, { raffleId, first: PAGE, after, outcome }, { requestPolicy: 'network-only' }).toPromise()
      : await client.query(RoundsPage, { raffleId, first: PAGE, after }, { requestPolicy: 'network-only' }).toPromise();
    const connection = result.data?.raffle?.rounds;
    setLoading(false);
    if (!connection) return;
    const nodes = connection.edges.map((edge) => edge.node);
    setRounds((current) => (reset ? nodes : [...current, ...nodes]));
    setCursor({ next: connection.pageInfo.endCursor ?? null, more: connection.pageInfo.hasNextPage });
  };
  useEffect(() => {
    void load(null, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [raffleId, outcome]);

  // Without the server's outcome filter, filter the pages loaded so far.
  const shown = outcome === 'ALL' || schemaFeatures.roundsOutcomeFilter ? rounds : rounds.filter((round) => round.outcome === outcome);
  return (
    <div className="panel wide">
      <h2>{t('history.rounds')}</h2>
      <div className="row">
        <label className="field">
          <span>{t('history.filter')}</span>
          <select name="outcome" data-testid="history-outcome" value={outcome} onChange={(event) => setOutcome(event.target.value as OutcomeFilter)}>
            {OUTCOMES.map((value) => (
              <option key={value} value={value}>{t(`history.outcomeValue.${value}`)}</option>
            ))}
          </select>
        </label>
        <a data-testid="export-csv" className="button" href={`/raffles/${encodeURIComponent(raffleId)}/rounds.csv`} download>
          {t('history.exportCsv')}
        </a>
      </div>
      <table className="table">
        <thead>
          <tr>
            <th>{t('history.number')}</th>
            <th>{t('history.at')}</th>
            <th>{t('history.outcome')}</th>
            <th>{t('history.item')}</th>
            <th>{t('history.winner')}</th>
            <th>{t('history.eligible')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((round) => (
            <tr key={round.id} data-testid="history-row" data-round-id={round.id} data-outcome={round.outcome}>
              <td>{round.number}</td>
              <td>{new Date(round.at).toLocaleString(i18n.language)}</td>
              <td>{t(`history.outcomeValue.${round.outcome}`)}</td>
              <td>{round.item?.name ?? '—'}</td>
              <td>{round.winner?.displayName ?? '—'}</td>
              <td>{round.eligibleCount}</td>
              <td><a href={`/verify/${encodeURIComponent(round.id)}`}>{t('history.verify')}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor.more && (
        <button type="button" disabled={loading} onClick={() => void load(cursor.next, false)}>{t('history.more')}</button>
      )}
    </div>
  );
}
