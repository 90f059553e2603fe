import { describe, expect, it } from 'vitest';
import { ChatUnavailableError, type ChatOwner, type ChatSnapshot, type ChatterSource } from '../../src/chatters/chatter';
import { generateViewers, InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { describeWith } from '../support/describe-with';
import { CHI_SQUARE_CRITICAL_P001, chiSquare, seededServerSeeds } from '../support/seeded-random';
import { useTestApps } from '../support/started';

/** A chat that fails while `failure` is set, to see how rounds react. */
class FailingChatterSource implements ChatterSource {
  failure: Error | undefined;
  constructor(private readonly inner: ChatterSource) {}

  async snapshot(owner: ChatOwner): Promise<ChatSnapshot> {
    if (this.failure) throw this.failure;
    return this.inner.snapshot(owner);
  }
}

const start = useTestApps();

describe('rounds', () => {
  it('excludes the broadcaster, bots and earlier winners; stores the random values to re-compute the draw', async () => {
    const api = await start();
    const streamer = await createStreamer(api.url);
    await api.services.db.streamer.update({ where: { id: streamer.id }, data: { twitchUserId: '42', login: 'kino' } });
    const viewers = generateViewers(3);
    api.chatters.set(streamer.id, [
      { userId: '42', login: 'kino', displayName: 'Kino' },
      { userId: '7', login: 'nightbot', displayName: 'Nightbot' },
      ...viewers,
      viewers[0]!,
    ]);
    await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 10 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const seen: string[] = [];
    for (const expectedEligible of [3, 2, 1]) {
      const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      expect(drawRound.eligibleCount).toBe(expectedEligible);
      seen.push(drawRound.winner.userId);
    }
    expect(seen.sort()).toEqual(viewers.map((viewer) => viewer.userId).sort());
    const { drawRound: empty } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(empty).toMatchObject({ outcome: 'NO_ELIGIBLE_CHATTERS', eligibleCount: 0, winner: null, item: null });

    const rounds = await api.services.db.round.findMany({ where: { raffleId: raffle.id, outcome: 'WINNER' }, orderBy: { number: 'asc' } });
    for (const round of rounds) {
      expect(round.drawValue).toBeGreaterThanOrEqual(0);
      expect(round.drawValue).toBeLessThan(1);
      expect(round.winnerIndex).toBeGreaterThanOrEqual(0);
      expect(round.winnerIndex).toBeLessThan(round.eligibleCount);
      expect(round.itemWeight).toBe(1);
      expect(round.totalWeight).toBe(1);
    }
  });

  it('skips rounds by the draw chance, recording the value tested', async () => {
    const api = await start({ newServerSeed: seededServerSeeds(7) });
    const streamer = await createStreamer(api.url);
    await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 100 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 1, drawChance: 0.25 });
    await expect
      .poll(() => api.services.db.round.count({ where: { raffleId: raffle.id } }), { timeout: 15_000, interval: 200 })
      .toBeGreaterThanOrEqual(4);
    await execute(api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
    const rounds = await api.services.db.round.findMany({ where: { raffleId: raffle.id } });
    for (const round of rounds) {
      expect(round.chanceValue).not.toBeNull();
      expect(round.outcome).toBe(round.chanceValue! < 0.25 ? 'WINNER' : 'SKIPPED');
    }
  });

  it('picks the winner uniformly among eligible chatters (χ² over 600 rounds, p > 0.001)', async () => {
    const api = await start();
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(6));
    await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 600 }]);
    const raffle = await api.services.raffles.start({ streamerId: streamer.id, intervalSeconds: 3600, allowRepeatWinners: true });
    const counts = new Array(6).fill(0) as number[];
    for (let round = 0; round < 600; round += 1) {
      const result = await api.services.rounds.run(raffle.id, { force: true });
      if (result.kind !== 'round') throw new Error(`round not drawn: ${result.kind}`);
      counts[result.round.winnerIndex!]! += 1;
    }
    expect(chiSquare(counts, counts.map(() => 1 / 6))).toBeLessThan(CHI_SQUARE_CRITICAL_P001[5]!);
  }, 120_000);

  it('writes a round in ONE transaction: a failure after the stock decrement leaves nothing', async () => {
    const api = await start();
    const streamer = await createStreamer(api.url);
    const [item] = await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 3 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const db = api.services.db;
    await db.$executeRawUnsafe(`CREATE FUNCTION fail_round() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await db.$executeRawUnsafe(`CREATE TRIGGER fail_round BEFORE INSERT ON rounds FOR EACH ROW EXECUTE FUNCTION fail_round()`);
    const failed = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id }).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(await db.round.count({ where: { raffleId: raffle.id } })).toBe(0);
    expect((await db.item.findUniqueOrThrow({ where: { id: item!.id } })).remaining).toBe(3);
    const afterFailure = await db.raffle.findUniqueOrThrow({ where: { id: raffle.id } });
    expect(afterFailure).toMatchObject({ status: 'RUNNING', roundCount: 0, leaseOwner: null });

    await db.$executeRawUnsafe(`DROP TRIGGER fail_round ON rounds`);
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(drawRound).toMatchObject({ outcome: 'WINNER', number: 1 });
    expect((await db.item.findUniqueOrThrow({ where: { id: item!.id } })).remaining).toBe(2);
  });

  it('liveChatters leaves out whom the next round leaves out (one set of rules)', async () => {
    const api = await start();
    const streamer = await createStreamer(api.url);
    await api.services.db.streamer.update({ where: { id: streamer.id }, data: { twitchUserId: '42', login: 'kino' } });
    const viewers = generateViewers(4);
    api.chatters.set(streamer.id, [{ userId: '42', login: 'Kino', displayName: 'Kino' }, { userId: '7', login: 'StreamElements', displayName: 'SE' }, ...viewers]);
    await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 10 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const live = async () =>
      (await execute(api.url, `query($id: ID!) { liveChatters(streamerId: $id, sampleSize: 100) { ... on LiveChatters { count total sample { userId } } } }`, { id: streamer.id }))
        .liveChatters as { count: number; total: number; sample: { userId: string }[] };

    expect(await live()).toMatchObject({ count: 4, total: 6 });
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(drawRound.eligibleCount).toBe(4);
    const after = await live();
    expect(after.count).toBe(3);
    expect(after.sample.map((chatter) => chatter.userId)).not.toContain(drawRound.winner.userId);
    const { drawRound: next } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(next.eligibleCount).toBe(after.count);
  });

  it('writes no round while the chat cannot be read, and draws again once it can', async () => {
    const chatters = new FailingChatterSource(new InMemoryChatterSource());
    const api = await start({ chatterSource: chatters });
    const streamer = await createStreamer(api.url);
    await addItems(api.url, streamer.id, [{ name: 'a', weight: 1 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    chatters.failure = new ChatUnavailableError('chat service down');
    const failed = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id }).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(await api.services.db.round.count({ where: { raffleId: raffle.id } })).toBe(0);
    chatters.failure = undefined;
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(drawRound.outcome).toBe('WINNER');
  });
});

// Two app processes, one after the other, on one shared database: a real PostgreSQL.
describeWith({ postgres: true }, 'restarts', () => {
  it('resumes running raffles from the database after the app restarts, numbering on', async () => {
    const first = await start();
    const streamer = await createStreamer(first.url);
    await addItems(first.url, streamer.id, [{ name: 'a', weight: 1, stock: 50 }]);
    const raffle = await startRaffle(first.url, { streamerId: streamer.id, intervalSeconds: 1 });
    await expect
      .poll(() => first.services.db.round.count({ where: { raffleId: raffle.id } }), { timeout: 10_000, interval: 100 })
      .toBeGreaterThanOrEqual(2);
    const shared = first.databaseUrl!;
    await first.app.stop();
    const before = await countRounds(shared, raffle.id);
    const second = await start({ databaseUrl: shared });
    await expect
      .poll(() => second.services.db.round.count({ where: { raffleId: raffle.id } }), { timeout: 10_000, interval: 100 })
      .toBeGreaterThanOrEqual(before + 2);
    const numbers = (await second.services.db.round.findMany({ where: { raffleId: raffle.id }, orderBy: { number: 'asc' } })).map((round) => round.number);
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  });
});

async function countRounds(databaseUrl: string, raffleId: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM rounds WHERE raffle_id = $1', [raffleId]);
  await client.end();
  return rows[0].n as number;
}
