import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { Field } from '../../components/Field';
import { problemsByField } from '../../components/problems';
import { schemaFeatures } from '../../graphql/schema-features';
import { OverlaySettingsQuery, SendOverlayTestWin, UpdateOverlaySettings } from './overlay.documents';
import { LANGUAGES, pickerValue, POSITIONS, previewFont, settingsInput, type OverlaySettings } from './overlay-settings';

/** Problems that name no field of the form (an InvalidStateError, a problem on `settings` itself). */
const FORM = 'form';

/**
 * Per-streamer overlay settings (fonts from `overlayFonts`, each problem at its field) with a
 * preview, the overlay URL to open or paste into OBS, and "send a test win" (shown only by the
 * overlay pages: not stored, not announced). Until the schema has the overlay settings the studio
 * says so and sends nothing.
 */
export function OverlayStudio({ streamerId }: { streamerId: string }) {
  const { t } = useTranslation();
  const available = schemaFeatures.overlaySettings && schemaFeatures.updateOverlaySettings;
  const [{ data, error: loadError }] = useQuery({ query: OverlaySettingsQuery, variables: { streamerId }, pause: !available });
  const [settings, setSettings] = useState<OverlaySettings | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<{ at: string } | { error: string } | null>(null);
  const [saving, update] = useMutation(UpdateOverlaySettings);
  const [sending, sendTest] = useMutation(SendOverlayTestWin);
  useEffect(() => {
    if (data?.streamer) setSettings(data.streamer.overlaySettings);
  }, [data]);

  const change = <K extends keyof OverlaySettings>(key: K, value: OverlaySettings[K]) => {
    setSaved(false);
    setSettings((current) => (current ? { ...current, [key]: value } : current));
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!settings) return;
    const response = await update({ streamerId, settings: settingsInput(settings) });
    const result = response.data?.updateOverlaySettings;
    if (!result) return setErrors({ [FORM]: response.error?.message ?? t('app.error', { message: '' }) });
    if (result.__typename === 'Streamer') {
      setErrors({});
      setSettings(result.overlaySettings);
      setSaved(true);
    } else if (result.__typename === 'ValidationError') setErrors(problemsByField(result.problems, FORM));
    else setErrors({ [FORM]: result.message });
  };
  const sendTestWin = async () => {
    const response = await sendTest({ streamerId });
    const result = response.data?.sendOverlayTestWin;
    if (result?.__typename === 'OverlayTestWinSent') setTest({ at: result.at });
    else setTest({ error: (result && 'message' in result ? result.message : response.error?.message) ?? '—' });
  };

  const fonts = data?.overlayFonts ?? [];
  const overlayUrl = data?.streamer?.overlayUrl ?? null;
  const shown = settings;
  return (
    <div className="grid">
      <div className="panel">
        <h2>{t('overlay.title')}</h2>
        {!available && <p className="warn" data-testid="overlay-studio-pending">{t('overlay.pending')}</p>}
        {loadError && <p role="alert">{t('app.error', { message: loadError.message })}</p>}
        <form data-testid="overlay-settings-form" onSubmit={(event) => void save(event)} noValidate>
          <fieldset disabled={!available || !shown}>
            <Select label={t('overlay.position')} name="position" value={shown?.position ?? 'CENTER'} error={errors.position}
              onChange={(value) => change('position', value as OverlaySettings['position'])}>
              {POSITIONS.map((position) => <option key={position} value={position}>{t(`overlay.positions.${position}`)}</option>)}
            </Select>
            <Field label={t('overlay.scale')} name="scale" type="number" step="0.1" value={shown?.scale ?? 1}
              onChange={(event) => change('scale', event.target.valueAsNumber)} error={errors.scale} />
            <Select label={t('overlay.font')} name="font" value={shown?.font ?? ''} error={errors.font} onChange={(value) => change('font', value)}>
              {fonts.map((font) => <option key={font} value={font} style={{ fontFamily: previewFont(font) }}>{t(`overlay.fonts.${font}`, { defaultValue: font })}</option>)}
            </Select>
            <ColourField label={t('overlay.textColor')} name="textColor" value={shown?.textColor ?? ''} error={errors.textColor} onChange={(value) => change('textColor', value)} />
            <ColourField label={t('overlay.accentColor')} name="accentColor" value={shown?.accentColor ?? ''} error={errors.accentColor} onChange={(value) => change('accentColor', value)} />
            <ColourField label={t('overlay.backgroundColor')} name="backgroundColor" value={shown?.backgroundColor ?? ''} error={errors.backgroundColor}
              onChange={(value) => change('backgroundColor', value)} transparent={t('overlay.transparent')} />
            <Select label={t('overlay.language')} name="language" value={shown?.language ?? ''} error={errors.language} onChange={(value) => change('language', value || null)}>
              <option value="">{t('overlay.streamerLanguage')}</option>
              {LANGUAGES.map((language) => <option key={language} value={language}>{language === 'en' ? 'English' : 'Português (Brasil)'}</option>)}
            </Select>
            {errors[FORM] && <p role="alert" className="field-error" data-field-error={FORM}>{errors[FORM]}</p>}
            <div className="row">
              <button type="submit" className="primary" data-testid="overlay-save" disabled={saving.fetching}>{saved ? t('overlay.saved') : t('overlay.save')}</button>
              {schemaFeatures.sendOverlayTestWin && (
                <button type="button" data-testid="overlay-test-win" disabled={sending.fetching} onClick={() => void sendTestWin()}>
                  {t('overlay.testWin')}
                </button>
              )}
            </div>
            {test && 'at' in test && <p className="ok" data-testid="overlay-test-sent" data-at={test.at}>{t('overlay.testSent')}</p>}
            {test && 'error' in test && <p role="alert" className="field-error">{test.error}</p>}
          </fieldset>
        </form>
      </div>
      <div className="panel">
        <h2>{t('overlay.preview')}</h2>
        {shown && <Preview settings={shown} />}
        <h2>{t('overview.overlayUrl')}</h2>
        {overlayUrl && (
          <div className="row">
            <input data-testid="overlay-url" readOnly value={overlayUrl} onFocus={(event) => event.target.select()} className="grow" />
            <a className="button" href={overlayUrl} target="_blank" rel="noopener noreferrer" data-testid="overlay-open">{t('overlay.open')}</a>
          </div>
        )}
        <p className="muted hint">{t('overlay.obsHint')}</p>
      </div>
    </div>
  );
}

/** The overlay's card as the page draws it with these settings (on a checkerboard: transparent shows). */
function Preview({ settings }: { settings: OverlaySettings }) {
  const { t } = useTranslation();
  return (
    <div className={`overlay-preview pos-${settings.position}`} data-testid="overlay-preview">
      <div
        className="overlay-preview-card"
        style={{
          color: settings.textColor,
          background: settings.backgroundColor,
          borderColor: settings.accentColor,
          fontFamily: previewFont(settings.font),
          transform: `scale(${Math.min(Math.max(settings.scale || 1, 0.5), 3) / 2})`,
        }}
      >
        <p className="label">{t('overlay.previewLabel')}</p>
        <p className="winner">viewer_42</p>
        <p className="prize" style={{ color: settings.accentColor }}>Golden Skin</p>
      </div>
    </div>
  );
}

function Select({ label, name, value, error, onChange, children }: { label: string; name: string; value: string; error: string | undefined; onChange(value: string): void; children: ReactNode }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span>{label}</span>
      <select id={id} name={name} value={value} aria-invalid={error ? true : undefined} onChange={(event) => onChange(event.target.value)}>{children}</select>
      {error && <span className="field-error" data-field-error={name} role="alert">{error}</span>}
    </label>
  );
}

/** A colour as text (#rrggbb, #rrggbbaa, or `transparent` where offered) with a picker beside it. */
function ColourField({ label, name, value, error, onChange, transparent }: { label: string; name: string; value: string; error: string | undefined; onChange(value: string): void; transparent?: string }) {
  const picked = pickerValue(value);
  return (
    <div className="row colour">
      <Field label={label} name={name} value={value} onChange={(event) => onChange(event.target.value.trim())} error={error} spellCheck={false} />
      <input type="color" aria-label={label} value={picked ?? '#000000'} onChange={(event) => onChange(event.target.value + (value.length === 9 ? value.slice(7) : ''))} />
      {transparent && (
        <label className="check">
          <input type="checkbox" checked={value === 'transparent'} onChange={(event) => onChange(event.target.checked ? 'transparent' : '#14121f')} /> {transparent}
        </label>
      )}
    </div>
  );
}
