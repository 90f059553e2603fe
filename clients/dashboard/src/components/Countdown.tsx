import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Seconds until `at`, ticking every 250 ms ("now" once passed). */
export function Countdown({ at, ...rest }: { at: string | null | undefined; 'data-testid'?: string }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  if (!at) return <span {...rest}>—</span>;
  const seconds = Math.max(0, Math.ceil((Date.parse(at) - now) / 1000));
  return <span {...rest} data-seconds={seconds}>{seconds === 0 ? t('raffle.now') : t('raffle.seconds', { count: seconds })}</span>;
}
