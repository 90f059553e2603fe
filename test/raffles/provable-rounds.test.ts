/** Provable rounds (FAIRNESS.md v1) through the real app: sealed and drand, proofs, failures, storage. */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { sha256Hex, hexToBytes } from '../../src/fairness/bytes';
import { roundTimeMs } from '../../src/fairness/drand-chain';
import { verifyBundle } from '../../src/fairness/verify';
import { ProofRetention } from '../../src/proofs/proof-retention';
import type { FakeDrand } from '../stand-ins/drand/fake-drand';
import { addItems, createStreamer } from '../support/factories';
import { contractOperation, execute, FAIRNESS_CONTRACT_FILE, request, subscribe } from '../support/graphql';
import { seededServerSeeds } from '../support/seeded-random';
import { useFakeDrand, useTestApps } from '../support/started';
import type { TestApp } from '../support/test-app';
import { describeWith } from '../support/describe-with';
import { allRounds, expectContiguous, sleep, startCluster, until, waitForRedisSubscribers, type Cluster } from '../realtime/realtime-support';

const START = contractOperation('StartProvableRaffle', FAIRNESS_CONTRACT_FILE);
const PROOF = contractOperation('RoundProof', FAIRNESS_CONTRACT_FILE);
const COMMITS = contractOperation('RaffleCommits', FAIRNESS_CONTRACT_FILE);
const DRAW = contractOperation('DrawRound');
const STOP = contractOperation('StopRaffle');

// Relays first: after-hooks run last-registered first, so the apps stop before their relays close.
const relay = useFakeDrand({ periodSeconds: 1 });
const start = useTestApps();

const drandEnv = (chain: FakeDrand, urls: string[] = [chain.url], timeoutMs = 1_500) => ({
  DRAND_URLS: urls.join(','),
  DRAND_CHAIN_HASH: chain.chain.hash,
  DRAND_PUBLIC_KEY: chain.chain.publicKey,
  DRAND_TIMEOUT_MS: String(timeoutMs),
});

async function provableRaffle(api: TestApp, fairness: 'SEALED' | 'DRAND' | undefined, stock = 10, viewers = 8) {
  const streamer = await createStreamer(api.url);
  api.chatters.set(streamer.id, generateViewers(viewers));
  const items = await addItems(api.url, streamer.id, [
    { name: 'golden skin', weight: 5, stock },
    { name: 'sticker', weight: 95, stock },
  ]);
  const { startRaffle } = await execute(api.url, START, { input: { streamerId: streamer.id, intervalSeconds: 3600, ...(fairness ? { fairness } : {}) } });
  expect(startRaffle.__typename).toBe('Raffle');
  return { streamer, items, raffle: startRaffle as { id: string; fairness: string; sealHash: string | null } };
}

const anonymous = { token: null } as const;

async function proofOf(api: TestApp, roundId: string) {
  const { round } = await execute(api.url, PROOF, { roundId }, anonymous);
  return round.proof;
}

describe('sealed rounds', () => {
  it('publish sealHash at start, proofs carry serverSeed null until the raffle ends, then every round verifies', async () => {
    const api = await start({ newServerSeed: seededServerSeeds(12) });
    const { raffle } = await provableRaffle(api, undefined);
    expect(raffle.fairness).toBe('SEALED'); // RAFFLE_FAIRNESS_DEFAULT
    expect(raffle.sealHash).toMatch(/^[0-9a-f]{64}$/);
    const stored = await api.services.db.raffle.findUniqueOrThrow({ where: { id: raffle.id } });
    expect(stored.serverSeedEnc).toMatch(/^v2\./); // sealed like the Twitch tokens
    expect(stored.serverSeedEnc).not.toContain(raffle.sealHash);

    const rounds = [];
    for (let i = 0; i < 3; i += 1) rounds.push((await execute(api.url, DRAW, { raffleId: raffle.id })).drawRound);
    for (const round of rounds) {
      const proof = await proofOf(api, round.id);
      expect(proof.source).toEqual({ kind: 'sealed', sealHash: raffle.sealHash, serverSeed: null });
      expect(verifyBundle(proof).verified).toBe(false);
    }
    const before = await fetch(`${api.url}/rounds/${rounds[0].id}/proof.json`);
    expect(before.headers.get('cache-control')).toBe('no-cache');

    await execute(api.url, STOP, { raffleId: raffle.id });
    const { raffle: ended } = await execute(api.url, `query($id: ID!) { raffle(id: $id) { serverSeed sealHash } }`, { id: raffle.id });
    expect(sha256Hex(hexToBytes(ended.serverSeed))).toBe(raffle.sealHash);
    for (const round of rounds) {
      const proof = await proofOf(api, round.id);
      expect(proof.source.serverSeed).toBe(ended.serverSeed);
      const result = verifyBundle(proof);
      expect(result.steps.filter((step) => !step.ok)).toEqual([]);
      expect(result).toMatchObject({ verified: true, mode: 'sealed' });
      expect(proof).toMatchObject({ roundId: round.id, roundNumber: round.number, outcome: 'WINNER', itemId: round.item.id, winnerUserId: round.winner.userId });
      // The route serves the very same bundle, with no credential.
      const response = await fetch(`${api.url}/rounds/${round.id}/proof.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
      expect(await response.json()).toEqual(proof);
      // A byte changed in the inputs fails.
      expect(verifyBundle({ ...proof, entrants: proof.entrants.slice(1) }).verified).toBe(false);
    }
  });

  it('stores identical entrant snapshots once, compressed, and the round rows link their commit', async () => {
    const api = await start();
    const { streamer } = await provableRaffle(api, 'SEALED', 20, 2_000);
    const { startRaffle: second } = await execute(api.url, START, { input: { streamerId: streamer.id, intervalSeconds: 3600 } });
    expect(second.__typename).toBe('RaffleAlreadyRunningError');
    const raffle = await api.services.db.raffle.findFirstOrThrow({ where: { streamerId: streamer.id } });
    await api.services.db.raffle.update({ where: { id: raffle.id }, data: { allowRepeatWinners: true } });
    for (let i = 0; i < 4; i += 1) await execute(api.url, DRAW, { raffleId: raffle.id });
    const commits = await api.services.db.roundCommit.findMany({ where: { raffleId: raffle.id }, orderBy: { number: 'asc' } });
    expect(commits.map((commit) => commit.number)).toEqual([1, 2, 3, 4]);
    expect(new Set(commits.map((commit) => commit.entrantsHash)).size).toBe(1);
    const snapshots = await api.services.db.entrantSnapshot.findMany({ where: { entrantsHash: commits[0]!.entrantsHash } });
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.entrantCount).toBe(2_000);
    const raw = JSON.stringify((await proofOf(api, String((await api.services.db.round.findFirstOrThrow({ where: { raffleId: raffle.id } })).id))).entrants);
    expect(snapshots[0]!.data.length).toBeLessThan(raw.length / 2);
    const rounds = await api.services.db.round.findMany({ where: { raffleId: raffle.id }, orderBy: { number: 'asc' } });
    expect(rounds.map((round) => round.commitHash)).toEqual(commits.map((commit) => commit.commitHash));
  });
});

describe('a commit that outlives its attempt', () => {
  it('is completed with the committed inputs although items and chat changed since; the prize is the derivation’s', async () => {
    const api = await start();
    const { raffle, streamer, items } = await provableRaffle(api, 'SEALED');
    const db = api.services.db;
    await db.$executeRawUnsafe(`CREATE FUNCTION fail_round() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await db.$executeRawUnsafe(`CREATE TRIGGER fail_round BEFORE INSERT ON rounds FOR EACH ROW EXECUTE FUNCTION fail_round()`);
    expect((await request(api.url, DRAW, { raffleId: raffle.id })).errors).toBeTruthy();
    const commit = await db.roundCommit.findUniqueOrThrow({ where: { raffleId_number: { raffleId: raffle.id, number: 1 } } });
    expect(await db.round.count({ where: { raffleId: raffle.id } })).toBe(0);

    // After the commit: the weights flip, a prize is added, the chat changes.
    await db.item.update({ where: { id: items[0]!.id }, data: { weight: 95 } });
    await db.item.update({ where: { id: items[1]!.id }, data: { weight: 5 } });
    await addItems(api.url, streamer.id, [{ name: 'late prize', weight: 1000, stock: 5 }]);
    api.chatters.set(streamer.id, generateViewers(50));
    await db.$executeRawUnsafe(`DROP TRIGGER fail_round ON rounds`);

    const { drawRound } = await execute(api.url, DRAW, { raffleId: raffle.id });
    expect(drawRound).toMatchObject({ number: 1, outcome: 'WINNER', eligibleCount: 8 });
    await execute(api.url, STOP, { raffleId: raffle.id });
    const proof = await proofOf(api, drawRound.id);
    expect(proof.commitHash).toBe(commit.commitHash);
    expect(proof.items.map((item: { id: string }) => item.id).sort()).toEqual(items.map((item) => item.id).sort());
    expect(proof.itemId).toBe(drawRound.item.id);
    expect(verifyBundle(proof).verified).toBe(true);
    expect(await db.roundCommit.count({ where: { raffleId: raffle.id } })).toBe(1);
  });
});

describe('drand rounds (through the drand stand-in, period 1 s)', () => {
  it('publishes COMMITTED before the beacon round exists, then draws with the verified beacon; the proof verifies', async () => {
    const drand = await relay();
    const api = await start({ env: drandEnv(drand) });
    const { streamer, raffle } = await provableRaffle(api, 'DRAND');
    expect(raffle).toMatchObject({ fairness: 'DRAND', sealHash: null });
    const events = await subscribe(api.url, COMMITS, { streamerId: streamer.id });
    try {
      const drawing = execute(api.url, DRAW, { raffleId: raffle.id });
      const committed = (await events.next(10_000)).raffleEvents;
      const seenAt = Date.now();
      expect(committed).toMatchObject({ kind: 'COMMITTED', raffle: { id: raffle.id }, round: null, commit: { roundNumber: 1 } });
      const { commit } = committed;
      expect(commit.source).toBe(`drand:${drand.chain.hash}:${commit.beaconRound}`);
      expect(seenAt).toBeLessThan(roundTimeMs(drand.chain, commit.beaconRound));
      const { drawRound } = await drawing;
      expect(drawRound.outcome).toBe('WINNER');
      const drawn = (await events.next(10_000)).raffleEvents;
      expect(drawn).toMatchObject({ kind: 'ROUND', round: { id: drawRound.id, number: 1 } });

      const proof = await proofOf(api, drawRound.id);
      expect(proof.commitHash).toBe(commit.commitHash);
      expect(proof.source).toMatchObject({ kind: 'drand', chainHash: drand.chain.hash, round: commit.beaconRound, beacon: { round: commit.beaconRound } });
      const result = verifyBundle(proof, { chains: [drand.chain], publishedCommitHash: commit.commitHash });
      expect(result.steps.filter((step) => !step.ok)).toEqual([]);
      expect(result).toMatchObject({ verified: true, mode: 'drand' });
      expect(verifyBundle(proof, { chains: [drand.chain], publishedCommitHash: '0'.repeat(64) }).verified).toBe(false);
      expect(drand.requests).toContain(`/${drand.chain.hash}/public/${commit.beaconRound}`);
    } finally {
      await events.return();
    }
  });

  it('refuses a beacon signed by another key: BEACON_UNAVAILABLE, no stock taken, drawn again next time', async () => {
    const drand = await relay();
    const api = await start({ env: drandEnv(drand, [drand.url], 800) });
    const { raffle, items } = await provableRaffle(api, 'DRAND');
    drand.setMode('ok');
    const first = (await execute(api.url, DRAW, { raffleId: raffle.id })).drawRound;
    expect(first.outcome).toBe('WINNER');
    drand.setMode('wrong-key');
    const refused = (await execute(api.url, DRAW, { raffleId: raffle.id })).drawRound;
    expect(refused).toMatchObject({ number: 2, outcome: 'BEACON_UNAVAILABLE', item: null, winner: null });
    const left = await api.services.db.item.findMany({ where: { id: { in: items.map((item) => item.id) } } });
    expect(left.reduce((sum, item) => sum + item.stock - item.remaining, 0)).toBe(1);
    const proof = await proofOf(api, refused.id);
    expect(proof).toMatchObject({ outcome: 'BEACON_UNAVAILABLE', itemId: null, winnerUserId: null, source: { kind: 'drand', beacon: null } });
    const raffleRow = await api.services.db.raffle.findUniqueOrThrow({ where: { id: raffle.id } });
    expect(raffleRow).toMatchObject({ status: 'RUNNING', roundCount: 2, leaseOwner: null });
    drand.setMode('ok');
    expect((await execute(api.url, DRAW, { raffleId: raffle.id })).drawRound).toMatchObject({ number: 3, outcome: 'WINNER' });
  });

  it('fails over from a garbage relay and a hanging one to an honest relay of the same chain', async () => {
    const honest = await relay();
    const garbage = await relay({ sameChainAs: honest, mode: 'garbage' });
    const hanging = await relay({ sameChainAs: honest, mode: 'hang' });
    const api = await start({ env: drandEnv(honest, [garbage.url, hanging.url, honest.url], 600) });
    const { raffle } = await provableRaffle(api, 'DRAND');
    const { drawRound } = await execute(api.url, DRAW, { raffleId: raffle.id });
    expect(drawRound.outcome).toBe('WINNER');
    expect(garbage.requests.length).toBeGreaterThan(0);
    expect(hanging.requests.length).toBeGreaterThan(0);
    const proof = await proofOf(api, drawRound.id);
    expect(verifyBundle(proof, { chains: [honest.chain] }).verified).toBe(true);
  });
});

describe('public proofs', () => {
  it('404 with a readable JSON body for unknown and malformed ids; Query.round shows only what a round announces', async () => {
    const api = await start();
    const { raffle } = await provableRaffle(api, 'SEALED');
    const { drawRound } = await execute(api.url, DRAW, { raffleId: raffle.id });
    for (const id of ['999999999', 'abc', '0', '-1', '1e3', '9'.repeat(40)]) {
      const response = await fetch(`${api.url}/rounds/${id}/proof.json`);
      expect(response.status, id).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'NOT_FOUND', message: expect.stringContaining('no provable round') });
    }
    expect((await execute(api.url, PROOF, { roundId: '999999999' }, anonymous)).round).toBeNull();
    const { round } = await execute(api.url, PROOF, { roundId: drawRound.id }, anonymous);
    expect(round).toMatchObject({ id: drawRound.id, number: 1, outcome: 'WINNER', item: { id: drawRound.item.id }, winner: drawRound.winner });
    for (const field of ['drawValue', 'winnerIndex', 'raffle { id }', 'item { stock }', 'discordAnnouncedAt']) {
      const refused = await request(api.url, `query($id: ID!) { round(id: $id) { id ${field} } }`, { id: drawRound.id }, anonymous);
      expect(refused.errors?.[0]?.extensions?.code, field).toBe('UNAUTHENTICATED');
    }
    // With a credential the same fields answer.
    expect((await execute(api.url, `query($id: ID!) { round(id: $id) { raffle { id } item { stock } } }`, { id: drawRound.id })).round.raffle.id).toBe(raffle.id);
  });

  it('retention prunes inputs older than PROOF_RETENTION_DAYS but keeps hashes and outcomes', async () => {
    const api = await start();
    const { raffle, streamer } = await provableRaffle(api, 'SEALED');
    const old = (await execute(api.url, DRAW, { raffleId: raffle.id })).drawRound;
    api.chatters.set(streamer.id, generateViewers(9)); // another entrant list for the next round
    const recent = (await execute(api.url, DRAW, { raffleId: raffle.id })).drawRound;
    await execute(api.url, STOP, { raffleId: raffle.id });
    const before = await proofOf(api, old.id);
    const db = api.services.db;
    await db.$executeRaw`UPDATE round_commits SET committed_at = now() - interval '91 days' WHERE raffle_id = ${raffle.id} AND number = 1`;
    await db.$executeRaw`UPDATE entrant_snapshots SET created_at = now() - interval '91 days'`;
    const pruned = await new ProofRetention(db, 90, pino({ level: 'silent' })).prune();
    expect(pruned.commits).toBe(1);
    expect(pruned.snapshots).toBeGreaterThanOrEqual(1);

    const after = await proofOf(api, old.id);
    expect(after).toMatchObject({
      inputsPruned: true,
      items: [],
      entrants: [],
      itemsHash: before.itemsHash,
      entrantsHash: before.entrantsHash,
      commitHash: before.commitHash,
      source: before.source,
      outcome: 'WINNER',
      itemId: before.itemId,
      winnerUserId: before.winnerUserId,
    });
    expect(verifyBundle(after).verified).toBe(false);
    expect(await db.entrantSnapshot.count({ where: { entrantsHash: before.entrantsHash } })).toBe(0);
    // The recent round keeps its inputs and still verifies.
    const kept = await proofOf(api, recent.id);
    expect(kept.inputsPruned).toBeUndefined();
    expect(verifyBundle(kept).verified).toBe(true);
  });
});

describeWith({ postgres: true, redis: true }, 'provable rounds on several instances', ({ postgresUrl, redisUrl }) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('two instances on one sealed raffle write each commit and each round once, and every round verifies', async () => {
    cluster = await startCluster({ postgresUrl, redisUrl, count: 2 });
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    cluster.chatters.set(streamer.id, generateViewers(30));
    await addItems(a!.url, streamer.id, [{ name: 'pin', weight: 3, stock: 100 }, { name: 'mug', weight: 1, stock: 100 }]);
    const { startRaffle: raffle } = await execute(a!.url, START, { input: { streamerId: streamer.id, intervalSeconds: 1, drawChance: 0.7 } });
    const drawn: string[] = [];
    const worker = async (app: TestApp) => {
      for (let i = 0; i < 6; i += 1) {
        const response = await request(app.url, DRAW, { raffleId: raffle.id });
        const result = response.data?.drawRound;
        if (result?.__typename === 'Round') drawn.push(result.id);
        else if (!(result?.__typename === 'InvalidStateError' && /being drawn right now/.test(result.message))) throw new Error(JSON.stringify(response));
      }
    };
    await Promise.all([worker(a!), worker(b!), worker(a!), worker(b!)]);
    await sleep(2_500); // the schedulers draw too
    await execute(b!.url, STOP, { raffleId: raffle.id });
    const { rounds } = await allRounds(a!.url, raffle.id);
    expectContiguous(rounds);
    expect(rounds.length).toBeGreaterThan(drawn.length);
    const db = a!.services.db;
    const commits = await db.roundCommit.findMany({ where: { raffleId: raffle.id }, orderBy: { number: 'asc' } });
    const rows = await db.round.findMany({ where: { raffleId: raffle.id }, orderBy: { number: 'asc' } });
    // A scheduler may have committed the next round just before the stop: that commit stays
    // without a round (the raffle no longer runs), and it is the only one.
    const drawnCommits = commits.filter((commit) => commit.number <= rows.length);
    expect(commits.length - drawnCommits.length).toBeLessThanOrEqual(1);
    if (commits.length > drawnCommits.length) expect(commits.at(-1)!.number).toBe(rows.length + 1);
    expect(drawnCommits.map((commit) => commit.number)).toEqual(rows.map((row) => row.number));
    expect(rows.map((row) => row.commitHash)).toEqual(drawnCommits.map((commit) => commit.commitHash));
    for (const row of rows) {
      const result = verifyBundle(await proofOf(b!, String(row.id)));
      expect(result.verified, `round ${row.number}`).toBe(true);
    }
  }, 120_000);

  it("a commit left by a crashed instance is completed by another with the committed inputs, never redrawn", async () => {
    const honest = await relay();
    const forA = await relay({ sameChainAs: honest });
    cluster = await startCluster({
      postgresUrl,
      redisUrl,
      count: 2,
      env: { ...drandEnv(honest, [honest.url], 4_000), ROUND_LEASE_SECONDS: '2' },
      envFor: (index): Record<string, string> => (index === 0 ? { DRAND_URLS: forA.url } : {}),
    });
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(b!.url);
    cluster.chatters.set(streamer.id, generateViewers(12));
    await addItems(b!.url, streamer.id, [{ name: 'poster', weight: 1, stock: 10 }]);
    const { startRaffle: raffle } = await execute(a!.url, START, { input: { streamerId: streamer.id, intervalSeconds: 3600, fairness: 'DRAND' } });
    expect((await execute(a!.url, DRAW, { raffleId: raffle.id })).drawRound.outcome).toBe('WINNER'); // A knows the chain now
    const events = await subscribe(b!.url, COMMITS, { streamerId: streamer.id });
    try {
      await waitForRedisSubscribers(redisUrl, `raffleEvents:${streamer.id}`);
      forA.setMode('hang'); // A commits, then never gets its beacon
      void request(a!.url, DRAW, { raffleId: raffle.id }).catch(() => {});
      const { commit } = (await events.next(10_000)).raffleEvents;
      expect(commit.roundNumber).toBe(2);
      await cluster.kill(0);
      cluster.chatters.set(streamer.id, generateViewers(40)); // a redraw would see another chat
      let completed: any;
      await until('B completes round 2', async () => {
        const response = await request(b!.url, DRAW, { raffleId: raffle.id });
        if (response.data?.drawRound?.__typename === 'Round') completed = response.data.drawRound;
        return completed;
      }, 30_000, 200);
      expect(completed).toMatchObject({ number: 2, outcome: 'WINNER' });
      const proof = await proofOf(b!, completed.id);
      expect(proof.commitHash).toBe(commit.commitHash);
      expect(proof.entrants.length).toBe(11); // the 12 viewers minus round 1's winner, as committed
      expect(verifyBundle(proof, { chains: [honest.chain], publishedCommitHash: commit.commitHash }).verified).toBe(true);
      expect(await b!.services.db.roundCommit.count({ where: { raffleId: raffle.id } })).toBe(2);
    } finally {
      await events.return();
    }
  }, 90_000);
});
