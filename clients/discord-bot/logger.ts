import pino, { type Logger } from 'pino';

const REDACTED = ['authorization', '*.authorization', 'token', '*.token', 'connectionParams', '*.connectionParams'];

export function createBotLogger(level: string): Logger {
  return pino({ name: 'discord-bot', level, redact: { paths: REDACTED, censor: '[redacted]' } });
}

export type { Logger };
