import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import type { ResultOf } from '../../graphql/graphql';
import { RotateOverlayKey, StreamerOverviewQuery } from './streamer.documents';

type Streamer = NonNullable<ResultOf<typeof StreamerOverviewQuery>['streamer']>;

/** A Discord guild id is a snowflake; Twitch-only streamers have none worth showing. */
const isDiscordId = (id: string | null | undefined) => !!id && /^\d{15,22}$/.test(id);

/** Twitch link status, the overlay URL (copy, rotate) and the Discord side when linked. */
export function StreamerOverview({ streamer }: { streamer: Streamer }) {
  const { t, i18n } = useTranslation();
  const [copied, setCopied] = useState(false);
  const [rotation, rotate] = useMutation(RotateOverlayKey);
  const status = streamer.twitchStatus;
  const copy = async () => {
    await navigator.clipboard?.writeText(streamer.overlayUrl).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const rotated = rotation.data?.rotateOverlayKey;
  return (
    <div className="panel">
      <h2>{t('overview.twitch')}</h2>
      <p data-testid="twitch-status" className={status.linked ? 'ok' : 'warn'}>
        {status.linked ? `${t('streamers.linked')} · ${streamer.login ?? ''}` : t('overview.unlinked', { reason: status.unlinkedReason ?? '—' })}
        {status.lastValidatedAt && <> · {t('overview.lastValidated', { at: new Date(status.lastValidatedAt).toLocaleString(i18n.language) })}</>}
      </p>
      {status.scopes.length > 0 && <p className="muted">{t('overview.scopes', { scopes: status.scopes.join(', ') })}</p>}
      <h2>{t('overview.overlayUrl')}</h2>
      <div className="row">
        <input data-testid="overlay-url" readOnly value={streamer.overlayUrl} onFocus={(event) => event.target.select()} className="grow" />
        <button type="button" onClick={() => void copy()}>{copied ? t('overview.copied') : t('overview.copy')}</button>
        <button
          type="button"
          data-testid="overlay-rotate"
          disabled={rotation.fetching}
          onClick={() => {
            if (window.confirm(t('overview.rotateConfirm'))) void rotate({ streamerId: streamer.id });
          }}
        >
          {t('overview.rotate')}
        </button>
      </div>
      {rotated && rotated.__typename !== 'Streamer' && 'message' in rotated && <p role="alert">{rotated.message}</p>}
      <h2>{t('overview.discord')}</h2>
      {isDiscordId(streamer.guildId) ? (
        <p data-testid="discord-status">
          {t('overview.discordServer', { id: streamer.guildId })} ·{' '}
          {streamer.announceChannelId ? t('overview.announceChannel', { id: streamer.announceChannelId }) : t('overview.noAnnounceChannel')}
        </p>
      ) : (
        <p data-testid="discord-status" className="muted">{t('overview.noDiscord')}</p>
      )}
    </div>
  );
}
