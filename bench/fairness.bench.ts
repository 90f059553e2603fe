/**
 * Provable rounds (FAIRNESS.md v1), through RoundRunner.run(force) on one instance.
 *
 * 1. Commit-to-round latency: from the COMMITTED publish to the ROUND publish.
 *    - drand, against the drand stand-in (its own process-local HTTP relay, period 1 s). Floor, per
 *      round in the same run: the time from the commit to the named beacon round's time, the wait
 *      no implementation can skip (the commit must come before the beacon exists).
 *    - sealed: no wait for randomness, so the figure is the derivation plus the round's transaction
 *      (reported; no floor).
 * 2. Proof size at 100k entrants: the bundle as GET /rounds/<id>/proof.json sends it, raw and
 *    gzip, against the floor of the canonical lists alone (itemsList + entrantsList, the least a
 *    proof must carry), and what the database holds for the entrants (one gzip snapshot).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { generateViewers, InMemoryChatterSource } from '../src/chatters/in-memory-chatter-source';
import { openDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { entrantsList, itemsList } from '../src/fairness/canonical';
import { roundTimeMs } from '../src/fairness/drand-chain';
import { verifyBundle } from '../src/fairness/verify';
import type { Raffle } from '../src/generated/prisma/client';
import { EntrantSnapshots } from '../src/proofs/entrant-snapshots';
import { ProofService } from '../src/proofs/proof.service';
import { createEventBus } from '../src/pubsub/event-bus';
import type { RoundCommitMessage } from '../src/pubsub/topics';
import { DrandBeacons } from '../src/raffles/drand-beacons';
import { RaffleEvents } from '../src/raffles/raffle-events';
import { RoundRunner } from '../src/raffles/round-runner';
import { ServerSeedVault } from '../src/raffles/server-seed-vault';
import { createFakeDrand } from '../test/stand-ins/drand/fake-drand';
import type { BenchContext } from './lib/context';
import { summarize, type Summary } from './lib/stats';

export interface FairnessOptions {
  drandRounds: number;
  sealedRounds: number;
  entrants: number;
  proofEntrants: number;
  periodSeconds: number;
}

export interface LatencyResult {
  mode: 'drand' | 'sealed';
  entrants: number;
  rounds: number;
  latency: Summary;
  /** drand: commit → beacon round time, per round. */
  floor: Summary | null;
}

export interface FairnessResult {
  latency: LatencyResult[];
  proof: {
    entrants: number;
    rawBytes: number;
    gzipBytes: number;
    floorRawBytes: number;
    floorGzipBytes: number;
    storedSnapshotBytes: number;
    buildMs: number;
  };
  periodSeconds: number;
  problems: string[];
}

/** RaffleEvents that also timestamps COMMITTED and ROUND publishes per raffle and number. */
class TimedEvents extends RaffleEvents {
  readonly committedAt = new Map<string, { at: number; commit: RoundCommitMessage }>();
  readonly drawnAt = new Map<string, number>();

  override roundCommitted(raffle: Raffle, commit: RoundCommitMessage): void {
    this.committedAt.set(`${raffle.id}#${commit.roundNumber}`, { at: performance.now() + performance.timeOrigin, commit });
    super.roundCommitted(raffle, commit);
  }

  override roundDrawn(raffle: Raffle, round: Parameters<RaffleEvents['roundDrawn']>[1]): void {
    this.drawnAt.set(`${raffle.id}#${round.number}`, performance.now() + performance.timeOrigin);
    super.roundDrawn(raffle, round);
  }
}

export async function runFairness(context: BenchContext, options: FairnessOptions): Promise<FairnessResult> {
  const databaseUrl = await context.scratchDatabase();
  const dataDir = databaseUrl ? undefined : await mkdtemp(path.join(tmpdir(), 'kinoyu-bench-'));
  const logger = pino({ level: 'silent' });
  const database = await openDatabase({ database: { url: databaseUrl, dataDir: dataDir ?? '' } });
  const bus = createEventBus(undefined, logger);
  const drand = await createFakeDrand({ periodSeconds: options.periodSeconds });
  const problems: string[] = [];
  try {
    const runner = await database.openSqlRunner();
    try {
      await migrate(runner, logger);
    } finally {
      await runner.close();
    }
    const db = database.prisma;
    const chatters = new InMemoryChatterSource();
    const events = new TimedEvents(bus);
    const seeds = new ServerSeedVault([randomBytes(32)]);
    const snapshots = new EntrantSnapshots(db);
    const rounds = new RoundRunner({
      db,
      chatters,
      events,
      seeds,
      snapshots,
      drand: new DrandBeacons({ urls: [drand.url], chainHash: drand.chain.hash, publicKey: drand.chain.publicKey, timeoutMs: 2_000 }, logger),
      logger,
      instanceId: 'bench-fairness',
      leaseSeconds: 15,
      excludedLogins: [],
      outboxChannels: () => [],
    });
    const proofs = new ProofService(db, snapshots, seeds);

    const newRaffle = async (fairness: 'SEALED' | 'DRAND', entrants: number) => {
      const streamer = await db.streamer.create({ data: { guildId: `9${Date.now()}${Math.floor(Math.random() * 1e6)}`, legacyOverlayKey: crypto.randomUUID() } });
      await db.item.createMany({
        data: [
          { streamerId: streamer.id, name: 'common', weight: 90, stock: 100_000, remaining: 100_000 },
          { streamerId: streamer.id, name: 'rare', weight: 10, stock: 100_000, remaining: 100_000 },
        ],
      });
      chatters.set(streamer.id, generateViewers(entrants));
      const id = crypto.randomUUID();
      return db.raffle.create({
        data: {
          id,
          streamerId: streamer.id,
          intervalSeconds: 86_400,
          drawChance: 1,
          allowRepeatWinners: true,
          nextRoundAt: new Date(Date.now() + 86_400_000),
          fairness,
          ...(fairness === 'SEALED' ? seeds.create(id) : {}),
        },
      });
    };

    const measure = async (mode: 'drand' | 'sealed', count: number, entrants: number): Promise<LatencyResult> => {
      const raffle = await newRaffle(mode === 'drand' ? 'DRAND' : 'SEALED', entrants);
      const latencies: number[] = [];
      const floors: number[] = [];
      for (let index = 0; index < count + 1; index += 1) {
        const result = await rounds.run(raffle.id, { force: true });
        if (result.kind !== 'round' || result.round.outcome !== 'WINNER') {
          problems.push(`fairness ${mode}: round was ${result.kind === 'round' ? result.round.outcome : result.kind}`);
          continue;
        }
        const key = `${raffle.id}#${result.round.number}`;
        const committed = events.committedAt.get(key)!;
        if (index === 0) continue; // warm-up: the first commit stores the snapshot and fetches the chain info
        latencies.push(events.drawnAt.get(key)! - committed.at);
        if (mode === 'drand') floors.push(roundTimeMs(drand.chain, committed.commit.beaconRound!) - committed.at);
      }
      context.log(`fairness ${mode} ×${entrants}: ${count} rounds`);
      return { mode, entrants, rounds: latencies.length, latency: summarize(latencies), floor: mode === 'drand' ? summarize(floors) : null };
    };

    const latency = [
      await measure('drand', options.drandRounds, options.entrants),
      await measure('sealed', options.sealedRounds, options.entrants),
      await measure('sealed', Math.max(2, Math.floor(options.sealedRounds / 10)), options.proofEntrants),
    ];

    // Proof size at 100k entrants, after the raffle ended (serverSeed revealed).
    const raffle = await newRaffle('SEALED', options.proofEntrants);
    const drawn = await rounds.run(raffle.id, { force: true });
    if (drawn.kind !== 'round') throw new Error(`proof round not drawn: ${drawn.kind}`);
    await db.raffle.update({ where: { id: raffle.id }, data: { status: 'STOPPED', endReason: 'STOPPED', endedAt: new Date() } });
    const started = performance.now();
    const answer = await proofs.proof(drawn.round.id);
    const json = JSON.stringify(answer!.bundle);
    const buildMs = performance.now() - started;
    if (!verifyBundle(answer!.bundle).verified) problems.push('fairness: the 100k proof does not verify');
    const floorText = `${itemsList(answer!.bundle.items)}\n${entrantsList(answer!.bundle.entrants)}`;
    const stored = await snapshots.storedBytes(answer!.bundle.entrantsHash);
    return {
      latency,
      proof: {
        entrants: answer!.bundle.entrants.length,
        rawBytes: Buffer.byteLength(json),
        gzipBytes: gzipSync(json).length,
        floorRawBytes: Buffer.byteLength(floorText),
        floorGzipBytes: gzipSync(floorText).length,
        storedSnapshotBytes: stored ?? 0,
        buildMs,
      },
      periodSeconds: options.periodSeconds,
      problems,
    };
  } finally {
    await drand.close();
    await bus.close();
    await database.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
