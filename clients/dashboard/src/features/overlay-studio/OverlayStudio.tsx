import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { Field } from '../../components/Field';
import { problemsByField, type Problem } from '../../components/problems';
import { schemaFeatures } from '../../graphql/schema-features';
import { OverlaySettingsQuery, SendOverlayTestWin, UpdateOverlaySettings } from './overlay.documents';
import { asOverlaySettings, DEFAULT_SETTINGS, POSITIONS, type OverlaySettings } from './overlay-settings';

/**
 * Per-streamer overlay settings with a live preview, and "send a test win" (shown only by the
 * overlay). Needs `Streamer.overlaySettings`, `updateOverlaySettings` and `sendOverlayTestWin`:
 * until the schema has them the studio says so and sends nothing.
 */
export function OverlayStudio({ streamerId, overlayUrl }: { streamerId: string; overlayUrl: string | null }) {
  const { t } = useTranslation();
  const available = schemaFeatures.overlaySettings && schemaFeatures.updateOverlaySettings;
  const [{ data }] = useQuery({ query: OverlaySettingsQuery, variables: { streamerId }, pause: !available });
  const [settings, setSettings] = useState<OverlaySettings>(DEFAULT_SETTINGS);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [testSent, setTestSent] = useState(false);
  const [, update] = useMutation(UpdateOverlaySettings);
  const [, sendTest] = useMutation(SendOverlayTestWin);
  useEffect(() => {
    if (data?.streamer) setSettings(asOverlaySettings(data.streamer.overlaySettings));
  }, [data]);

  const change = <K extends keyof OverlaySettings>(key: K, value: OverlaySettings[K]) => setSettings((current) => ({ ...current, [key]: value }));
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const result = (await update({ streamerId, settings: settings as never })).data?.updateOverlaySettings as
      | { __typename: string; problems?: Problem[]; message?: string }
      | undefined;
    if (result?.__typename === 'Streamer') {
      setErrors({});
      setSaved(true);
    } else if (result?.problems) setErrors(problemsByField(result.problems, 'position'));
    else if (result?.message) setErrors({ position: result.message });
  };

  return (
    <div className="grid">
      <div className="panel">
        <h2>{t('overlay.title')}</h2>
        {!available && <p className="warn" data-testid="overlay-studio-pending">{t('overlay.pending')}</p>}
        <form data-testid="overlay-settings-form" onSubmit={(event) => void save(event)} noValidate>
          <fieldset disabled={!available}>
            <label className="field">
              <span>{t('overlay.position')}</span>
              <select name="position" value={settings.position} onChange={(event) => change('position', event.target.value as OverlaySettings['position'])}>
                {POSITIONS.map((position) => (
                  <option key={position} value={position}>{t(`overlay.positions.${position}`)}</option>
                ))}
              </select>
            </label>
            <Field label={t('overlay.scale')} name="scale" type="number" step="0.1" value={settings.scale} onChange={(event) => change('scale', Number(event.target.value))} error={errors.scale} />
            <Field label={t('overlay.font')} name="font" value={settings.font} onChange={(event) => change('font', event.target.value)} error={errors.font} />
            <Field label={t('overlay.textColor')} name="textColor" type="color" value={settings.textColor} onChange={(event) => change('textColor', event.target.value)} error={errors.textColor} />
            <Field label={t('overlay.accentColor')} name="accentColor" type="color" value={settings.accentColor} onChange={(event) => change('accentColor', event.target.value)} error={errors.accentColor} />
            <Field label={t('overlay.backgroundColor')} name="backgroundColor" type="color" value={settings.backgroundColor} onChange={(event) => change('backgroundColor', event.target.value)} error={errors.backgroundColor} />
            <label className="field">
              <span>{t('overlay.language')}</span>
              <select name="language" value={settings.language} onChange={(event) => change('language', event.target.value)}>
                <option value="en">English</option>
                <option value="pt">Português</option>
              </select>
            </label>
            {errors.position && <p role="alert" className="field-error">{errors.position}</p>}
            <div className="row">
              <button type="submit" className="primary">{saved ? t('overlay.saved') : t('overlay.save')}</button>
              {schemaFeatures.sendOverlayTestWin && (
                <button
                  type="button"
                  data-testid="overlay-test-win"
                  onClick={() => void sendTest({ streamerId }).then((result) => setTestSent(!result.error))}
                >
                  {t('overlay.testWin')}
                </button>
              )}
            </div>
            {testSent && <p className="ok">{t('overlay.testSent')}</p>}
          </fieldset>
        </form>
      </div>
      <div className="panel">
        <h2>{t('overlay.preview')}</h2>
        <div className={`overlay-preview pos-${settings.position}`}>
          <div
            className="overlay-preview-card"
            style={{ color: settings.textColor, background: settings.backgroundColor, borderColor: settings.accentColor, fontFamily: settings.font, transform: `scale(${settings.scale})` }}
          >
            <strong style={{ color: settings.accentColor }}>KinoYu</strong> · {t('live.won', { winner: 'viewer_42', item: 'Golden Skin' })}
          </div>
        </div>
        {overlayUrl && <p className="muted small">{overlayUrl.replace(/key=[^&]+/, 'key=…')}</p>}
      </div>
    </div>
  );
}
