import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { useConnectionState } from '../../app/api-context';
import { Countdown } from '../../components/Countdown';
import { Field } from '../../components/Field';
import { problemsByField } from '../../components/problems';
import type { ResultOf } from '../../graphql/graphql';
import { schemaFeatures } from '../../graphql/schema-features';
import { DrawRound, LiveChattersQuery, LiveRoundFields, RaffleFields, RafflePanelQuery, RerollRound, StartRaffle, StopRaffle } from './raffle.documents';
import { useRaffleEvents } from './use-raffle-events';

type Raffle = ResultOf<typeof RaffleFields>;
type LiveRound = ResultOf<typeof LiveRoundFields>;

const ELIGIBLE_REFRESH_MS = 5_000;
const FEED_LENGTH = 50;

/** Start / stop / draw now, the live status, countdown, eligible count and the live winner feed. */
export function RafflePanel({ streamerId }: { streamerId: string }) {
  const { t } = useTranslation();
  const [{ data, fetching }, refetch] = useQuery({ query: RafflePanelQuery, variables: { streamerId }, requestPolicy: 'network-only' });
  const [chatters, refetchChatters] = useQuery({ query: LiveChattersQuery, variables: { streamerId }, requestPolicy: 'network-only' });
  const [raffle, setRaffle] = useState<Raffle | null>(null);
  const [wins, setWins] = useState<LiveRound[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [starting, startRaffle] = useMutation(StartRaffle);
  const [, stopRaffle] = useMutation(StopRaffle);
  const [drawing, drawRound] = useMutation(DrawRound);
  const connection = useConnectionState();
  const loaded = !!data?.streamer;

  useEffect(() => {
    if (data?.streamer) setRaffle(data.streamer.activeRaffle ?? null);
  }, [data]);
  useEffect(() => {
    const timer = setInterval(() => refetchChatters({ requestPolicy: 'network-only' }), ELIGIBLE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetchChatters]);

  useRaffleEvents(streamerId, data?.streamer?.latestRound?.id, loaded, (event) => {
    setRaffle(event.raffle.status === 'RUNNING' ? event.raffle : null);
    const round = event.round;
    if (round?.outcome === 'WINNER') setWins((current) => [round, ...current.filter((win) => win.id !== round.id)].slice(0, FEED_LENGTH));
  });

  const start = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    const intervalSeconds = Math.trunc(Number(fields.get('interval') || 0));
    const chancePercent = Number(fields.get('chance') || 100);
    const result = (await startRaffle({ input: { streamerId, intervalSeconds, drawChance: chancePercent / 100 } })).data?.startRaffle;
    if (result?.__typename === 'Raffle') {
      setErrors({});
      setRaffle(result);
    } else if (result?.__typename === 'ValidationError') {
      const byField = problemsByField(result.problems, 'interval');
      setErrors({ interval: byField.intervalSeconds ?? byField.interval ?? '', chance: byField.drawChance ?? '' });
    } else if (result && 'message' in result) setErrors({ interval: result.message });
    else refetch({ requestPolicy: 'network-only' });
  };

  const eligible = chatters.data?.liveChatters;
  const statusKey = raffle?.status ?? 'NONE';
  return (
    <div className="panel">
      <h2>{t('raffle.title')}</h2>
      <dl className="live-status">
        <dt>{t('raffle.status')}</dt>
        <dd data-testid="raffle-status" data-status={statusKey}>{t(`raffle.statusValue.${statusKey}`)}</dd>
        <dt>{t('raffle.nextRound')}</dt>
        <dd><Countdown data-testid="next-round" at={raffle?.status === 'RUNNING' ? raffle.nextRoundAt : null} /></dd>
        <dt>{t('raffle.eligible')}</dt>
        <dd data-testid="eligible-count">{eligible?.__typename === 'LiveChatters' ? eligible.count : '—'}</dd>
      </dl>
      {raffle?.status === 'RUNNING' ? (
        <div className="row">
          <button type="button" data-testid="raffle-stop" onClick={() => void stopRaffle({ raffleId: raffle.id }).then(() => setRaffle(null))}>
            {t('raffle.stop')}
          </button>
          <button type="button" data-testid="draw-now" className="primary" disabled={drawing.fetching} onClick={() => void drawRound({ raffleId: raffle.id })}>
            {t('raffle.drawNow')}
          </button>
        </div>
      ) : (
        !fetching && (
          <form data-testid="raffle-form" className="row" noValidate onSubmit={(event) => void start(event)}>
            <Field label={t('raffle.interval')} name="interval" type="number" defaultValue={60} error={errors.interval || undefined} />
            <Field label={t('raffle.chance')} name="chance" type="number" defaultValue={100} error={errors.chance || undefined} />
            <button type="submit" className="primary" disabled={starting.fetching}>{t('raffle.start')}</button>
          </form>
        )
      )}
      <LiveFeed wins={wins} connection={connection} />
    </div>
  );
}

function LiveFeed({ wins, connection }: { wins: LiveRound[]; connection: string }) {
  const { t, i18n } = useTranslation();
  const [, reroll] = useMutation(RerollRound);
  // A refused reroll (the round was rerolled already, the raffle's seed is public, …) says why.
  const [refused, setRefused] = useState<{ roundId: string; message: string } | null>(null);
  const rerollWin = async (roundId: string) => {
    setRefused(null);
    const result = await reroll({ roundId });
    const answer = result.data?.rerollRound;
    const message = result.error?.message ?? (answer && 'message' in answer ? answer.message : null);
    if (message) setRefused({ roundId, message });
  };
  return (
    <div className="feed">
      <h3>
        {t('live.title')}{' '}
        <span data-testid="connection-state" data-state={connection} className={`conn ${connection}`}>{t(`live.connection.${connection}`)}</span>
      </h3>
      {wins.length === 0 && <p className="muted">{t('live.none')}</p>}
      <ol className="wins">
        {wins.map((win) => (
          <li key={win.id} data-testid="live-winner" data-round-id={win.id}>
            <strong>{t('live.won', { winner: win.winner?.displayName ?? '?', item: win.item?.name ?? '?' })}</strong>{' '}
            <span className="muted">#{win.number} · {new Date(win.at).toLocaleTimeString(i18n.language)}</span>
            {schemaFeatures.rerollRound && (
              <button type="button" data-testid="reroll" onClick={() => void rerollWin(win.id)}>{t('raffle.reroll')}</button>
            )}
            {refused?.roundId === win.id && <p role="alert" className="field-error" data-testid="reroll-error">{refused.message}</p>}
          </li>
        ))}
      </ol>
    </div>
  );
}
