/**
 * The round write in one statement (complete_round) and the commit guarded by the lease, through
 * RoundRunner on the embedded PGlite and on PostgreSQL: exactly once under a lost lease, the last
 * copy, a pending claim, outbox rows in the same transaction, the schedule rule, reroll links,
 * and rows returned as Prisma reads them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { generateViewers, InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { EntrantSnapshots } from '../../src/proofs/entrant-snapshots';
import { createEventBus } from '../../src/pubsub/event-bus';
import { itemFromJson, roundFromJson } from '../../src/raffles/drawn-round-row';
import { DrandBeacons } from '../../src/raffles/drand-beacons';
import { RaffleEvents } from '../../src/raffles/raffle-events';
import { RoundRunner } from '../../src/raffles/round-runner';
import { nextRoundAt } from '../../src/raffles/round-schedule';
import { completeRound } from '../../src/raffles/round-writes';
import { ServerSeedVault } from '../../src/raffles/server-seed-vault';
import { describeWith } from '../support/describe-with';
import { useDatabases } from '../support/started';

const logger = pino({ level: 'silent' });
const { embedded, postgres, defer } = useDatabases();

describe('complete_round on embedded PGlite', () => cases(embedded));
describeWith({ postgres: true }, 'complete_round on PostgreSQL', ({ postgresUrl }) => cases(() => postgres(postgresUrl)));

interface Setup {
  items?: { weight: number; stock: number }[];
  claimSeconds?: number;
  /** Seconds from now to the raffle's due time (negative: overdue). */
  dueInSeconds?: number;
  intervalSeconds?: number;
  channels?: string[];
  /** Called when the round's randomness is opened: after the commit, before the round write. */
  beforeWrite?: () => Promise<void>;
  /** Receives the runner's warnings. */
  warnings?: string[];
}

function cases(open: () => Promise<Database>) {
  async function setup(options: Setup = {}) {
    const database = await open();
    const runner = await database.openSqlRunner();
    await migrate(runner, logger);
    await runner.close();
    const db = database.prisma;
    const streamer = await db.streamer.create({ data: { guildId: `g${randomUUID()}`, legacyOverlayKey: randomUUID() } });
    for (const [index, item] of (options.items ?? [{ weight: 1, stock: 5 }]).entries()) {
      await db.item.create({ data: { streamerId: streamer.id, name: `prize ${index}`, weight: item.weight, stock: item.stock, remaining: item.stock } });
    }
    const seeds = new ServerSeedVault([randomBytes(32)]);
    const raffleId = randomUUID();
    const intervalSeconds = options.intervalSeconds ?? 3600;
    await db.raffle.create({
      data: {
        id: raffleId,
        streamerId: streamer.id,
        intervalSeconds,
        drawChance: 1,
        claimSeconds: options.claimSeconds ?? 0,
        nextRoundAt: new Date(Date.now() + (options.dueInSeconds ?? 3600) * 1000),
        ...seeds.create(raffleId),
      },
    });
    const chatters = new InMemoryChatterSource();
    chatters.set(streamer.id, generateViewers(20));
    const bus = createEventBus(undefined, logger);
    defer(() => bus.close());
    const warnings = options.warnings;
    const runnerLogger = warnings
      ? pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) })
      : logger;
    const rounds = new RoundRunner({
      db,
      chatters,
      seeds,
      snapshots: new EntrantSnapshots(db),
      drand: new DrandBeacons({ urls: ['http://127.0.0.1:9'], chainHash: '0'.repeat(64), publicKey: '0'.repeat(192), timeoutMs: 100 }, logger),
      events: new RaffleEvents(bus),
      logger: runnerLogger,
      instanceId: 'test',
      leaseSeconds: 15,
      excludedLogins: [],
      outboxChannels: () => options.channels ?? ['TWITCH_CHAT'],
    });
    if (options.beforeWrite) {
      // The round's randomness is taken after the commit is written and before the round write.
      const runner = rounds as unknown as { randomness(...args: unknown[]): Promise<unknown> };
      const randomness = runner.randomness.bind(rounds);
      runner.randomness = async (...args) => {
        const result = await randomness(...args);
        await options.beforeWrite!();
        return result;
      };
    }
    return { db, rounds, raffleId, streamer, bus };
  }

  it('returns the round and raffle rows exactly as Prisma reads them, with the outbox rows of a WINNER', async () => {
    const { db, rounds, raffleId } = await setup({ channels: ['TWITCH_CHAT', 'DISCORD'] });
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind).toBe('round');
    if (result.kind !== 'round') return;
    expect(result.round.outcome).toBe('WINNER');
    expect(result.round).toEqual(await db.round.findUniqueOrThrow({ where: { id: result.round.id } }));
    expect(result.raffle).toEqual(await db.raffle.findUniqueOrThrow({ where: { id: raffleId } }));
    expect(result.raffle).toMatchObject({ roundCount: 1, leaseOwner: null, leaseUntil: null, status: 'RUNNING' });
    const outbox = await db.outboxMessage.findMany({ where: { roundId: result.round.id }, orderBy: { channel: 'asc' } });
    expect(outbox.map((row) => [row.channel, row.status])).toEqual([
      ['DISCORD', 'PENDING'],
      ['TWITCH_CHAT', 'PENDING'],
    ]);
    const commit = await db.roundCommit.findUniqueOrThrow({ where: { raffleId_number: { raffleId, number: 1 } } });
    expect(result.round.commitHash).toBe(commit.commitHash);
    expect(await db.entrantSnapshot.count({ where: { entrantsHash: commit.entrantsHash } })).toBe(1);
  });

  it('publishes the won item as the write left it (its copy taken) with the round: receivers read neither back', async () => {
    const { db, rounds, raffleId, streamer, bus } = await setup({ items: [{ weight: 2, stock: 3 }] });
    const wins = bus.subscribe('winnerDrawn', streamer.id);
    const win = wins.next();
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind === 'round' && result.round.outcome).toBe('WINNER');
    const { value: event } = await win;
    await wins.return?.();
    const item = await db.item.findFirstOrThrow();
    expect(item.remaining).toBe(2);
    expect(roundFromJson(event.round)).toEqual(await db.round.findUniqueOrThrow({ where: { id: event.roundId } }));
    expect(itemFromJson(event.item)).toEqual(item);
  });

  it('writes the outbox rows in the round transaction: when one fails, no round, no stock taken, no progress', async () => {
    // Two rows for one channel break outbox_messages' unique (round_id, channel) after the round row is in.
    const { db, rounds, raffleId } = await setup({ channels: ['TWITCH_CHAT', 'TWITCH_CHAT'], items: [{ weight: 1, stock: 3 }] });
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind).toBe('failed');
    expect(await db.round.count({ where: { raffleId } })).toBe(0);
    expect(await db.outboxMessage.count()).toBe(0);
    expect((await db.item.findFirstOrThrow()).remaining).toBe(3);
    const raffle = await db.raffle.findUniqueOrThrow({ where: { id: raffleId } });
    expect(raffle).toMatchObject({ roundCount: 0, status: 'RUNNING', leaseOwner: null });
    // The commit stays and the next attempt completes it.
    expect(await db.roundCommit.count({ where: { raffleId } })).toBe(1);
  });

  it('a lease lost between the commit and the round write: no round, nothing taken; the next claim completes that commit', async () => {
    let steal = true;
    const { db, rounds, raffleId } = await setup({
      items: [{ weight: 1, stock: 2 }],
      beforeWrite: async () => {
        if (!steal) return;
        steal = false;
        await db.$executeRaw`UPDATE raffles SET lease_owner = 'another-instance/1', lease_until = now() + interval '1 hour' WHERE id = ${raffleId}`;
      },
    });
    const lost = await rounds.run(raffleId, { force: true });
    expect(lost.kind).toBe('not-claimed');
    expect(await db.round.count({ where: { raffleId } })).toBe(0);
    expect(await db.outboxMessage.count()).toBe(0);
    expect((await db.item.findFirstOrThrow()).remaining).toBe(2);
    const raffle = await db.raffle.findUniqueOrThrow({ where: { id: raffleId } });
    // The lease stays with whoever took it.
    expect(raffle).toMatchObject({ roundCount: 0, leaseOwner: 'another-instance/1' });
    const commit = await db.roundCommit.findUniqueOrThrow({ where: { raffleId_number: { raffleId, number: 1 } } });

    // complete_round itself refuses a token that does not hold the lease.
    expect(
      await completeRound(db, {
        raffleId,
        token: 'test/stale',
        number: 1,
        forced: true,
        outcome: 'SKIPPED',
        commitHash: commit.commitHash,
        chanceValue: null,
        eligibleCount: 0,
        beaconRandomness: null,
        beaconSignature: null,
        winner: null,
        channels: [],
      }),
    ).toBeNull();
    expect(await db.round.count({ where: { raffleId } })).toBe(0);

    await db.$executeRaw`UPDATE raffles SET lease_owner = NULL, lease_until = NULL WHERE id = ${raffleId}`;
    const completed = await rounds.run(raffleId, { force: true });
    expect(completed.kind).toBe('round');
    if (completed.kind !== 'round') return;
    expect(completed.round).toMatchObject({ number: 1, commitHash: commit.commitHash, outcome: 'WINNER' });
    expect(await db.roundCommit.count({ where: { raffleId } })).toBe(1);
    expect((await db.item.findFirstOrThrow()).remaining).toBe(1);
  });

  it('a commit whose lease was lost before it was written is not written', async () => {
    const { db, rounds, raffleId } = await setup();
    // Claimed by someone else: run() does not claim, and a stale token's runClaimed writes nothing.
    await db.$executeRaw`UPDATE raffles SET lease_owner = 'another-instance/1', lease_until = now() + interval '1 hour' WHERE id = ${raffleId}`;
    expect((await rounds.run(raffleId, { force: true })).kind).toBe('not-claimed');
    expect((await rounds.runClaimed(raffleId, 'test/stale', { force: true })).kind).toBe('not-claimed');
    expect(await db.roundCommit.count({ where: { raffleId } })).toBe(0);
    expect(await db.entrantSnapshot.count()).toBe(0);
    expect(await db.round.count({ where: { raffleId } })).toBe(0);
  });

  it('the last copy finishes the raffle: FINISHED, ITEMS_EXHAUSTED, ended at the round time', async () => {
    const { db, rounds, raffleId } = await setup({ items: [{ weight: 3, stock: 1 }] });
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind).toBe('round');
    if (result.kind !== 'round') return;
    expect(result.round.outcome).toBe('WINNER');
    expect(result.raffle).toMatchObject({ status: 'FINISHED', endReason: 'ITEMS_EXHAUSTED', endedAt: result.round.at, leaseOwner: null });
    expect((await db.item.findFirstOrThrow()).remaining).toBe(0);
    expect(result.raffle).toEqual(await db.raffle.findUniqueOrThrow({ where: { id: raffleId } }));
  });

  it('the last copy waiting for a claim keeps the raffle RUNNING; the round is PENDING until its deadline', async () => {
    const { db, rounds, raffleId } = await setup({ items: [{ weight: 1, stock: 1 }], claimSeconds: 90 });
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind).toBe('round');
    if (result.kind !== 'round') return;
    expect(result.round).toMatchObject({ outcome: 'WINNER', claimStatus: 'PENDING' });
    expect(result.round.claimDeadline!.getTime() - result.round.at.getTime()).toBe(90_000);
    expect(result.raffle).toMatchObject({ status: 'RUNNING', endReason: null, endedAt: null });
    expect((await db.item.findFirstOrThrow()).remaining).toBe(0);
    // Nothing left while the claim is pending: the next round draws nothing and still waits.
    const next = await rounds.run(raffleId, { force: true });
    expect(next.kind === 'round' && next.round.outcome).toBe('NO_ITEMS');
    expect(next.kind === 'round' && next.raffle.status).toBe('RUNNING');
  });

  it('moves the schedule by the fixed-rate rule (round-schedule.ts); a forced round before the due time leaves it', async () => {
    const early = await setup({ dueInSeconds: 600, intervalSeconds: 60 });
    const due = (await early.db.raffle.findUniqueOrThrow({ where: { id: early.raffleId } })).nextRoundAt;
    const forced = await early.rounds.run(early.raffleId, { force: true });
    expect(forced.kind === 'round' && forced.raffle.nextRoundAt).toEqual(due);

    // 2.5 intervals behind: the next slot is the first on the grid still in the future.
    const behind = await setup({ dueInSeconds: -150, intervalSeconds: 60 });
    const overdue = (await behind.db.raffle.findUniqueOrThrow({ where: { id: behind.raffleId } })).nextRoundAt;
    const result = await behind.rounds.run(behind.raffleId, { force: false });
    expect(result.kind).toBe('round');
    if (result.kind !== 'round') return;
    expect(result.raffle.nextRoundAt).toEqual(nextRoundAt(overdue, 60, result.round.at));
    expect(result.raffle.nextRoundAt.getTime()).toBeGreaterThan(result.round.at.getTime());
    expect((result.raffle.nextRoundAt.getTime() - overdue.getTime()) % 60_000).toBe(0);
  });

  it('a forced round takes the pending reroll and links to it; an unforced one leaves it', async () => {
    const { db, rounds, raffleId } = await setup({ items: [{ weight: 1, stock: 5 }], dueInSeconds: -1 });
    const first = await rounds.run(raffleId, { force: true });
    if (first.kind !== 'round') throw new Error(first.kind);
    await db.raffle.update({ where: { id: raffleId }, data: { pendingRerollOf: first.round.id, nextRoundAt: new Date(Date.now() - 1000) } });
    const unforced = await rounds.run(raffleId, { force: false });
    if (unforced.kind !== 'round') throw new Error(unforced.kind);
    expect(unforced.round.rerollOfId).toBeNull();
    expect(unforced.raffle.pendingRerollOf).toBe(first.round.id);
    const forced = await rounds.run(raffleId, { force: true });
    if (forced.kind !== 'round') throw new Error(forced.kind);
    expect(forced.round.rerollOfId).toBe(first.round.id);
    expect(forced.raffle.pendingRerollOf).toBeNull();
  });

  it('items changed after the commit: make_raffle disagrees, the committed inputs decide, and the mismatch is logged', async () => {
    const warnings: string[] = [];
    let setupDone: { db: Database['prisma']; streamerId: string } | undefined;
    const { db, rounds, raffleId, streamer } = await setup({
      items: [{ weight: 2, stock: 3 }],
      warnings,
      beforeWrite: async () => {
        // A new prize after the commit: today's total weight is not the committed one.
        await setupDone!.db.item.create({ data: { streamerId: setupDone!.streamerId, name: 'late prize', weight: 1000, stock: 1, remaining: 1 } });
      },
    });
    setupDone = { db, streamerId: streamer.id };
    const [committedItem] = await db.item.findMany();
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind).toBe('round');
    if (result.kind !== 'round') return;
    expect(result.round).toMatchObject({ outcome: 'WINNER', itemId: committedItem!.id, totalWeight: 2 });
    expect((await db.item.findUniqueOrThrow({ where: { id: committedItem!.id } })).remaining).toBe(2);
    expect(warnings).toContain('items changed after the commit: the derivation decides the prize');
  });

  it('the committed prize removed after the commit: NO_ITEMS, no copy taken, the raffle moves on', async () => {
    let database: Database['prisma'] | undefined;
    const { db, rounds, raffleId } = await setup({
      items: [{ weight: 2, stock: 3 }],
      beforeWrite: async () => {
        await database!.item.updateMany({ data: { removedAt: new Date() } });
      },
    });
    database = db;
    const result = await rounds.run(raffleId, { force: true });
    expect(result.kind).toBe('round');
    if (result.kind !== 'round') return;
    expect(result.round).toMatchObject({ outcome: 'NO_ITEMS', itemId: null, winnerUserId: null });
    expect((await db.item.findFirstOrThrow()).remaining).toBe(3);
    expect(await db.outboxMessage.count()).toBe(0);
    // Nothing left: the raffle is over.
    expect(result.raffle).toMatchObject({ roundCount: 1, status: 'FINISHED', endReason: 'ITEMS_EXHAUSTED' });
  });
}
