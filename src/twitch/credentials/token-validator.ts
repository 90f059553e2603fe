/**
 * Twitch requires apps to validate user tokens when they start and hourly after
 * (dev.twitch.tv/docs/authentication/validate-tokens): a user who disconnects the app must lose
 * every session even when we are not calling the API. A 401 from /oauth2/validate also means
 * "expired", so the token is refreshed first; only when Twitch refuses the refresh as well is the
 * link ended (TwitchCredentialStore does that, and the running raffle stops with TWITCH_UNLINKED).
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import { TwitchNotLinkedError } from '../../errors/domain-errors';
import type { TwitchAuthClient } from '../api';
import { describe, TwitchAuthorizationRevokedError, type TwitchCredentialStore } from './credential-store';

export type ValidationOutcome = 'valid' | 'refreshed' | 'unlinked' | 'not-linked' | 'error';

export interface TwitchTokenValidatorDeps {
  db: Db;
  auth: TwitchAuthClient;
  credentials: TwitchCredentialStore;
  logger: Logger;
  intervalMs: number;
}

export class TwitchTokenValidator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly deps: TwitchTokenValidatorDeps) {}

  /** Validates every token now, then the ones not validated within the interval, every interval. */
  start(): void {
    this.stopped = false;
    this.run(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One streamer's token: valid, refreshed (and valid), or the link ended. */
  async validate(streamerId: string): Promise<ValidationOutcome> {
    const { auth, credentials, logger } = this.deps;
    const tokens = credentials.tokenSource(streamerId);
    try {
      const accessToken = await tokens.getAccessToken();
      let result = await auth.validate(accessToken);
      let outcome: ValidationOutcome = 'valid';
      if (!result.valid) {
        const fresh = await tokens.refreshAccessToken!(accessToken);
        result = await auth.validate(fresh);
        outcome = 'refreshed';
        if (!result.valid) {
          logger.warn({ streamerId }, 'twitch rejects even a freshly refreshed token');
          return 'error';
        }
      }
      await credentials.markValidated(streamerId, result);
      return outcome;
    } catch (error) {
      if (error instanceof TwitchAuthorizationRevokedError) return 'unlinked';
      if (error instanceof TwitchNotLinkedError) return 'not-linked';
      logger.warn({ streamerId, err: describe(error) }, 'twitch token validation failed; trying again next time');
      return 'error';
    }
  }

  private run(all: boolean): void {
    if (this.stopped) return;
    this.running = this.sweep(all)
      .catch((error: unknown) => this.deps.logger.warn({ err: describe(error) }, 'twitch token validation sweep failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.run(false), this.deps.intervalMs);
        this.timer.unref?.();
      });
  }

  private async sweep(all: boolean): Promise<void> {
    // Several instances share the work: what another one validated within ~the interval is skipped.
    const staleBefore = new Date(Date.now() - this.deps.intervalMs * 0.9);
    const due = await this.deps.db.twitchCredential.findMany({
      where: all ? {} : { OR: [{ validatedAt: null }, { validatedAt: { lt: staleBefore } }] },
      select: { streamerId: true },
      orderBy: { validatedAt: { sort: 'asc', nulls: 'first' } },
    });
    const counts: Partial<Record<ValidationOutcome, number>> = {};
    for (const { streamerId } of due) {
      if (this.stopped) break;
      const outcome = await this.validate(streamerId);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    if (due.length > 0) this.deps.logger.info({ checked: due.length, ...counts }, 'twitch tokens validated');
  }
}
