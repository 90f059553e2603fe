import pino, { type Logger } from 'pino';
import type { Config } from '../config/config';

/** Paths never written to logs, wherever they appear. */
const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers["x-overlay-key"]',
  'connectionParams',
  '*.connectionParams',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
  'token',
  '*.token',
  'overlayKey',
  '*.overlayKey',
  'code',
  'clientSecret',
  '*.clientSecret',
];

export function createLogger(config: Pick<Config, 'log'>): Logger {
  return pino({
    level: config.log.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(config.log.pretty ? { transport: { target: 'pino-pretty' } } : {}),
  });
}

export type { Logger };
