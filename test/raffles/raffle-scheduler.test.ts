import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { RaffleScheduler, type ScheduledRound } from '../../src/raffles/raffle-scheduler';
import { claimDueRaffles } from '../../src/raffles/round-claims';
import { nextRoundAt } from '../../src/raffles/round-schedule';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0).reverse()) await app.stop();
});

async function start(env: Record<string, string> = {}, options: Parameters<typeof startTestApp>[0] = {}) {
  const app = await startTestApp({ ...options, env });
  apps.push(app);
  return app;
}

async function runningRaffle(api: TestApp, intervalSeconds: number) {
  const streamer = await createStreamer(api.url);
  api.chatters.set(streamer.id, generateViewers(5));
  await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 1_000 }]);
  return startRaffle(api.url, { streamerId: streamer.id, intervalSeconds });
}

describe('the fixed-rate schedule', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 2) + seconds * 1000);

  it('sets the next round from the due time, not from when the round ran', () => {
    expect(nextRoundAt(at(10), 10, at(10.7))).toEqual(at(20));
    expect(nextRoundAt(at(10), 1, at(10.999))).toEqual(at(11));
  });

  it('skips the slots already past when far behind: the first future slot, no catch-up burst', () => {
    expect(nextRoundAt(at(10), 10, at(20))).toEqual(at(30));
    expect(nextRoundAt(at(10), 10, at(45.5))).toEqual(at(50));
    expect(nextRoundAt(at(10), 1, at(3_610.2))).toEqual(at(3_611));
  });

  it('leaves the schedule as it was after a forced draw before the due time', () => {
    expect(nextRoundAt(at(10), 10, at(4))).toEqual(at(10));
    expect(nextRoundAt(at(10), 10, at(10))).toEqual(at(20));
  });
});

describe('the scheduler', () => {
  it('wakes at the due time by a timer (the poll is once a minute) and keeps a 1 s raffle on its grid: no drift', async () => {
    const api = await start({ SCHEDULER_POLL_MS: '60000' });
    const raffle = await runningRaffle(api, 1);
    const db = api.services.db;
    await expect.poll(() => db.round.count({ where: { raffleId: raffle.id } }), { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(4);
    await db.raffle.update({ where: { id: raffle.id }, data: { status: 'STOPPED', endReason: 'STOPPED', endedAt: new Date() } });
    const after = await db.raffle.findUniqueOrThrow({ where: { id: raffle.id } });
    const rounds = await db.round.findMany({ where: { raffleId: raffle.id }, orderBy: { number: 'asc' } });
    // Every due time is startedAt + k × 1 s exactly, however late each round ran (no clock compared).
    const slots = (after.nextRoundAt.getTime() - after.startedAt.getTime()) / 1000;
    expect(Number.isInteger(slots)).toBe(true);
    // Slot k = 1 … slots − 1 were due; each drew one round (a round over 1 s late would skip one).
    expect(rounds.map((round) => round.number)).toEqual(rounds.map((_, index) => index + 1));
    expect(slots - 1).toBeGreaterThanOrEqual(rounds.length);
    expect(slots - 1 - rounds.length).toBeLessThanOrEqual(1);
    // Each round ran in its own slot: at − startedAt lies in [number, number + 1) seconds.
    for (const round of rounds) {
      const slot = Math.floor((round.at.getTime() - after.startedAt.getTime()) / 1000);
      expect(slot).toBeGreaterThanOrEqual(round.number);
    }
  }, 30_000);

  it('draws ONE round for a raffle far behind and puts the next on the first future slot of its grid', async () => {
    const api = await start();
    const db = api.services.db;
    const raffle = await runningRaffle(api, 10);
    // 35 s overdue (database clock): slots at −35, −25, −15, −5 s were all missed.
    const [dueRow] = await db.$queryRaw<{ due: Date }[]>`
      UPDATE raffles SET next_round_at = date_trunc('milliseconds', now()) - interval '35 seconds'
       WHERE id = ${raffle.id} RETURNING next_round_at AS due`;
    await expect.poll(() => db.round.count({ where: { raffleId: raffle.id } }), { timeout: 10_000, interval: 50 }).toBe(1);
    const after = await db.raffle.findUniqueOrThrow({ where: { id: raffle.id } });
    const [round] = await db.round.findMany({ where: { raffleId: raffle.id } });
    expect(after.nextRoundAt.getTime() - dueRow!.due.getTime()).toBe(40_000);
    expect(after.nextRoundAt.getTime()).toBeGreaterThan(round!.at.getTime());
    // No burst: a moment later it is still one round.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await db.round.count({ where: { raffleId: raffle.id } })).toBe(1);
  });

  it('claims due raffles in batches, each with its own token, none twice; only that token commits, once', async () => {
    // A minute's poll and hour-long intervals: this app's scheduler does not sweep during the test.
    const api = await start({ SCHEDULER_POLL_MS: '60000' });
    const db = api.services.db;
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) ids.push((await runningRaffle(api, 3600)).id);
    await db.$executeRaw`UPDATE raffles SET next_round_at = now() - interval '1 second' WHERE id = ANY(${ids}::text[])`;

    const claim = async (limit: number) => (await claimDueRaffles(db, { instanceId: 'test', leaseSeconds: 30, limit })).claimed;
    const [first, second] = await Promise.all([claim(4), claim(4)]);
    const third = await claim(4);
    const all = [...first, ...second, ...third];
    expect(first.length).toBeLessThanOrEqual(4);
    expect(all.map((claimed) => claimed.id).sort()).toEqual([...ids].sort());
    expect(new Set(all.map((claimed) => claimed.token)).size).toBe(7);
    expect(await claim(4)).toEqual([]);

    const [one] = all;
    expect(await api.services.rounds.runClaimed(one!.id, 'test/not-the-token')).toEqual({ kind: 'not-claimed' });
    const drawn = await api.services.rounds.runClaimed(one!.id, one!.token);
    expect(drawn.kind).toBe('round');
    if (drawn.kind === 'round') expect(drawn.round.number).toBe(1);
    expect(await api.services.rounds.runClaimed(one!.id, one!.token)).toEqual({ kind: 'not-claimed' });
    expect(await db.round.count({ where: { raffleId: one!.id } })).toBe(1);
  });
});

describe('the claim statement on the embedded database (npm start without DATABASE_URL)', () => {
  it('claims the due raffles and says when the next one is due', async () => {
    const api = await start({ SCHEDULER_POLL_MS: '60000' }, { embedded: true });
    const db = api.services.db;
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) ids.push((await runningRaffle(api, 3600)).id);
    await db.$executeRaw`UPDATE raffles SET next_round_at = now() - interval '1 second' WHERE id = ANY(${ids.slice(0, 2)}::text[])`;
    const { claimed, msUntilNextDue } = await claimDueRaffles(db, { instanceId: 'embedded', leaseSeconds: 30, limit: 5 });
    expect(claimed.map((claim) => claim.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(claimed.every((claim) => claim.claimedAt.getTime() > claim.dueAt.getTime())).toBe(true);
    // The third raffle, an hour away (the two claimed are leased, so not before their lease ends).
    expect(msUntilNextDue).toBeGreaterThan(30_000);
    expect(msUntilNextDue).toBeLessThanOrEqual(3_600_000);
  });
});

describe('several schedulers on one database', () => {
  const silent = pino({ level: 'silent' });

  /** Raffle ids, due one second ago, on an hour's interval (nothing else falls due during a test). */
  async function dueRaffles(api: TestApp, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) ids.push((await runningRaffle(api, 3600)).id);
    await api.services.db.$executeRaw`UPDATE raffles SET next_round_at = now() - interval '1 second' WHERE id = ANY(${ids}::text[])`;
    return ids;
  }

  async function leasesBy(api: TestApp): Promise<Record<string, number>> {
    const rows = await api.services.db.$queryRaw<{ owner: string; leases: number }[]>`
      SELECT split_part(lease_owner, '/', 1) AS owner, count(*)::int AS leases FROM raffles WHERE lease_owner IS NOT NULL GROUP BY 1`;
    return Object.fromEntries(rows.map((row) => [row.owner, row.leases]));
  }

  it('share the due raffles: each claims no more than it runs plus a queue as large, and every raffle draws once', async () => {
    // This app's own scheduler polls once a minute and sees hour-long intervals: it stays out.
    const api = await start({ SCHEDULER_POLL_MS: '60000' });
    const ids = await dueRaffles(api, 10);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: Record<string, string[]> = { a: [], b: [] };
    const drawn: ScheduledRound[] = [];
    const scheduler = (name: 'a' | 'b') =>
      new RaffleScheduler(
        api.services.db,
        {
          runClaimed: async (raffleId, token, options) => {
            started[name]!.push(raffleId);
            await gate;
            return api.services.rounds.runClaimed(raffleId, token, options);
          },
        },
        undefined,
        { instanceId: `sched-${name}`, leaseSeconds: 60, pollMs: 100, concurrency: 2, onRound: (round) => drawn.push(round) },
        silent,
      );
    const schedulers = [scheduler('a'), scheduler('b')];
    try {
      for (const each of schedulers) each.start();
      await expect.poll(() => started.a!.length + started.b!.length, { timeout: 10_000, interval: 20 }).toBe(4);
      // A few polls later: a busy scheduler with a full queue claims nothing more; the rest stays free.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect([started.a!.length, started.b!.length]).toEqual([2, 2]);
      expect(await leasesBy(api)).toEqual({ 'sched-a': 4, 'sched-b': 4 });
      expect(schedulers.map((each) => each.stats())).toEqual([
        expect.objectContaining({ inFlight: 2, queued: 2 }),
        expect.objectContaining({ inFlight: 2, queued: 2 }),
      ]);

      open();
      await expect.poll(() => api.services.db.round.count(), { timeout: 10_000, interval: 50 }).toBe(10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await api.services.db.round.count()).toBe(10);
      expect(drawn.map((round) => round.raffleId).sort()).toEqual([...ids].sort());
      expect(drawn.every((round) => round.number === 1 && round.claimedAt.getTime() >= round.dueAt.getTime())).toBe(true);
      // Both ran rounds beyond their first batch: the raffles left were shared as places freed up.
      expect(started.a!.length + started.b!.length).toBe(10);
      expect(started.a!.length).toBeGreaterThanOrEqual(4);
      expect(started.b!.length).toBeGreaterThanOrEqual(4);
      expect(await leasesBy(api)).toEqual({});
    } finally {
      open();
      await Promise.all(schedulers.map((each) => each.stop()));
    }
  });

  it('give back what a sweep was claiming when stopped, and start none of it', async () => {
    const api = await start({ SCHEDULER_POLL_MS: '60000' });
    await dueRaffles(api, 3);
    // The claim statement is held until the scheduler is stopping.
    let entered!: () => void;
    const claiming = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const db = api.services.db;
    const slowDb = new Proxy(db, {
      get(target, property) {
        if (property === '$queryRaw') {
          return async (...args: Parameters<typeof db.$queryRaw>) => {
            entered();
            await held;
            return target.$queryRaw(...args);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    let runs = 0;
    const scheduler = new RaffleScheduler(
      slowDb,
      { runClaimed: async () => ((runs += 1), { kind: 'not-claimed' as const }) },
      undefined,
      { instanceId: 'sched-stopping', leaseSeconds: 60, pollMs: 60_000, concurrency: 4 },
      silent,
    );
    scheduler.start();
    await claiming;
    const stopping = scheduler.stop();
    release();
    await stopping;
    expect(scheduler.stats()).toMatchObject({ claimed: 3, inFlight: 0, queued: 0 });
    expect(await leasesBy(api)).toEqual({});
    expect(runs).toBe(0);
  });

  it('two API instances racing for raffles due every second draw each due time once', async () => {
    const drawn: Array<ScheduledRound & { instance: number }> = [];
    const env = { SCHEDULER_POLL_MS: '50', SCHEDULER_CONCURRENCY: '2' };
    const first = await start(env, { onScheduledRound: (round) => drawn.push({ ...round, instance: 0 }) });
    const second = await start(env, { databaseUrl: first.databaseUrl, chatterSource: first.chatters, onScheduledRound: (round) => drawn.push({ ...round, instance: 1 }) });
    const db = first.services.db;
    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) ids.push((await runningRaffle(first, 1)).id);
    await expect
      .poll(async () => Math.min(...(await Promise.all(ids.map((id) => db.round.count({ where: { raffleId: id } }))))), { timeout: 20_000, interval: 100 })
      .toBeGreaterThanOrEqual(3);
    await db.raffle.updateMany({ where: { id: { in: ids } }, data: { status: 'STOPPED', endReason: 'STOPPED', endedAt: new Date() } });
    await second.stop(); // waits for its rounds in flight
    await expect.poll(() => first.schedulerStats().inFlight, { timeout: 10_000, interval: 20 }).toBe(0);

    // Every round in the database was reported by exactly one instance, once per due time and number.
    expect(await db.round.count({ where: { raffleId: { in: ids } } })).toBe(drawn.length);
    expect(new Set(drawn.map((round) => `${round.raffleId}@${round.dueAt.getTime()}`)).size).toBe(drawn.length);
    expect(new Set(drawn.map((round) => `${round.raffleId}#${round.number}`)).size).toBe(drawn.length);
    for (const id of ids) {
      const numbers = drawn.filter((round) => round.raffleId === id).map((round) => round.number).sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, index) => index + 1));
    }
  }, 40_000);
});
