import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import {
  InvalidStateError,
  NotFoundError,
  RaffleAlreadyRunningError,
  TwitchNotLinkedError,
  ValidationError,
  type FieldProblem,
} from '../errors/domain-errors';
import { Prisma, type FairnessMode, type Raffle, type Round } from '../generated/prisma/client';
import { parseEntryOptions, type EntryOptionsInput } from '../entry/entry-options';
import type { RaffleEvents } from './raffle-events';
import type { RoundRunner } from './round-runner';
import type { ServerSeedVault } from './server-seed-vault';

export const INTERVAL_MAX_SECONDS = 86_400;

export interface StartRaffleInput extends EntryOptionsInput {
  streamerId: string;
  intervalSeconds: number;
  drawChance?: number | null;
  allowRepeatWinners?: boolean | null;
  /** Default: RAFFLE_FAIRNESS_DEFAULT. */
  fairness?: FairnessMode | null;
}

export interface RaffleServiceDeps {
  db: Db;
  events: RaffleEvents;
  rounds: RoundRunner;
  /** True when rounds need a linked Twitch account (Twitch configured, not the demo source). */
  requiresTwitchLink: boolean;
  /** Sealed raffles get their serverSeed here, at start. */
  seeds: ServerSeedVault;
  defaultFairness: FairnessMode;
  /** Outbox rows written with a new raffle (its start announcement in chat). */
  startOutboxChannels?(streamer: { twitchUserId: string | null }): string[];
  /** After a raffle started (committed): e.g. start reading the chat of a keyword raffle now. */
  onStarted?(raffle: Raffle): void;
}

export class RaffleService {
  constructor(private readonly deps: RaffleServiceDeps) {}

  async start(input: StartRaffleInput): Promise<Raffle> {
    const drawChance = input.drawChance ?? 1;
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(input.intervalSeconds) || input.intervalSeconds < 1 || input.intervalSeconds > INTERVAL_MAX_SECONDS) {
      problems.push({
        path: ['input', 'intervalSeconds'],
        message: `intervalSeconds must be a whole number from 1 to ${INTERVAL_MAX_SECONDS}`,
      });
    }
    if (!Number.isFinite(drawChance) || drawChance <= 0 || drawChance > 1) {
      problems.push({ path: ['input', 'drawChance'], message: 'drawChance must be greater than 0 and at most 1' });
    }
    const { db } = this.deps;
    const streamer = await db.streamer.findUnique({
      where: { id: input.streamerId },
      include: { credential: { select: { streamerId: true, scopes: true } } },
    });
    if (!streamer) throw new NotFoundError('Streamer', input.streamerId);
    if (this.deps.requiresTwitchLink && !streamer.credential) throw new TwitchNotLinkedError();
    // The scopes the streamer granted decide whether keyword entry and presence luck can work.
    const entry = parseEntryOptions(input, { scopes: this.deps.requiresTwitchLink ? (streamer.credential?.scopes ?? []) : null });
    problems.push(...entry.problems);
    if (problems.length > 0) throw new ValidationError(problems);
    const running = await db.raffle.findFirst({ where: { streamerId: streamer.id, status: 'RUNNING' } });
    if (running) throw new RaffleAlreadyRunningError(running.id);
    const stock = await db.item.count({ where: { streamerId: streamer.id, removedAt: null, remaining: { gt: 0 } } });
    if (stock === 0) throw new InvalidStateError('there are no prizes left to win: add items first');

    try {
      const now = Date.now();
      const id = randomUUID();
      const fairness = input.fairness ?? this.deps.defaultFairness;
      const raffle = await db.raffle.create({
        data: {
          id,
          fairness,
          ...(fairness === 'SEALED' ? this.deps.seeds.create(id) : {}),
          streamerId: streamer.id,
          intervalSeconds: input.intervalSeconds,
          drawChance,
          allowRepeatWinners: input.allowRepeatWinners ?? false,
          ...entry.options,
          startedAt: new Date(now),
          nextRoundAt: new Date(now + input.intervalSeconds * 1000),
          outbox: { create: (this.deps.startOutboxChannels?.(streamer) ?? []).map((channel) => ({ channel })) },
        },
      });
      this.deps.events.raffleStarted(raffle);
      this.deps.onStarted?.(raffle);
      return raffle;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const winner = await db.raffle.findFirst({ where: { streamerId: streamer.id, status: 'RUNNING' } });
        throw new RaffleAlreadyRunningError(winner?.id ?? 'unknown');
      }
      throw error;
    }
  }

  async stop(raffleId: string): Promise<Raffle> {
    const { db } = this.deps;
    const stopped = await db.raffle.updateMany({
      where: { id: raffleId, status: 'RUNNING' },
      data: { status: 'STOPPED', endReason: 'STOPPED', endedAt: new Date(), leaseOwner: null, leaseUntil: null },
    });
    const raffle = await db.raffle.findUnique({ where: { id: raffleId } });
    if (!raffle) throw new NotFoundError('Raffle', raffleId);
    if (stopped.count === 0) throw new InvalidStateError(`the raffle is already ${raffle.status.toLowerCase()}`);
    this.deps.events.raffleEnded(raffle);
    return raffle;
  }

  /** Draws a round now, whatever the interval and the draw chance. Waits for a round in flight. */
  async drawNow(raffleId: string, waitMs = 10_000): Promise<Round> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const raffle = await this.deps.db.raffle.findUnique({ where: { id: raffleId } });
      if (!raffle) throw new NotFoundError('Raffle', raffleId);
      if (raffle.status !== 'RUNNING') {
        throw new InvalidStateError(`the raffle is ${raffle.status.toLowerCase()}: start a new one to draw`);
      }
      const result = await this.deps.rounds.run(raffleId, { force: true });
      if (result.kind === 'round') return result.round;
      if (result.kind === 'failed') throw result.error;
      if (Date.now() > deadline) throw new InvalidStateError('a round is being drawn right now: try again in a moment');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
