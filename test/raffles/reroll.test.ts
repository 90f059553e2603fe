/** rerollRound (issue 13): copy back, winner excluded, a forced round drawn at once and linked by rerollOf; when it is allowed. */
import { afterEach, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { verifyBundle } from '../../src/fairness/verify';
import { addItems, createStreamer } from '../support/factories';
import { contractOperation, ENTRY_CONTRACT_FILE, execute, FAIRNESS_CONTRACT_FILE } from '../support/graphql';
import { useFakeDrand, useTestApps } from '../support/started';
import type { TestApp } from '../support/test-app';

const START = contractOperation('StartProvableRaffle', FAIRNESS_CONTRACT_FILE);
const DRAW = contractOperation('DrawRound');
const STOP = contractOperation('StopRaffle');
const REROLL = contractOperation('RerollRound', ENTRY_CONTRACT_FILE);
const ROUND = /* GraphQL */ `query($id: ID!) { round(id: $id) { id outcome proof rerollOf { id } rerolledBy { id } item { id remaining } } }`;

const relay = useFakeDrand({ periodSeconds: 1 });
const start = useTestApps();

async function raffleWith(api: TestApp, opts: { viewers: number; stock: number; fairness?: 'SEALED' | 'DRAND'; allowRepeatWinners?: boolean }) {
  const streamer = await createStreamer(api.url);
  api.chatters.set(streamer.id, generateViewers(opts.viewers));
  const [item] = await addItems(api.url, streamer.id, [{ name: 'skin', weight: 1, stock: opts.stock }]);
  const input = { streamerId: streamer.id, intervalSeconds: 3600, ...(opts.fairness ? { fairness: opts.fairness } : {}), ...(opts.allowRepeatWinners ? { allowRepeatWinners: true } : {}) };
  const { startRaffle } = await execute(api.url, START, { input });
  expect(startRaffle.__typename).toBe('Raffle');
  return { streamer, item: item!, raffle: startRaffle as { id: string } };
}

const remainingOf = async (api: TestApp, itemId: string) => (await api.services.db.item.findUniqueOrThrow({ where: { id: itemId } })).remaining;

describe('rerollRound', () => {
  it('gives the copy back, excludes the winner (even with repeat winners allowed) and draws a linked forced round at once', async () => {
    const api = await start();
    const { raffle, item } = await raffleWith(api, { viewers: 3, stock: 5, allowRepeatWinners: true });
    const { drawRound: first } = await execute(api.url, DRAW, { raffleId: raffle.id });
    expect(first.outcome).toBe('WINNER');
    expect(await remainingOf(api, item.id)).toBe(4);

    const { rerollRound } = await execute(api.url, REROLL, { roundId: first.id });
    expect(rerollRound).toMatchObject({ __typename: 'Round', number: 2, outcome: 'WINNER', eligibleCount: 2, rerollOf: { id: first.id } });
    expect(rerollRound.winner.userId).not.toBe(first.winner.userId);
    // One copy back, one taken by the new round.
    expect(await remainingOf(api, item.id)).toBe(4);
    const { round: old } = await execute(api.url, ROUND, { id: first.id });
    expect(old.rerolledBy).toEqual({ id: rerollRound.id });
    const { round: redraw } = await execute(api.url, ROUND, { id: rerollRound.id });
    expect(redraw.proof).toMatchObject({ forced: true, outcome: 'WINNER' });
    expect(redraw.proof.entrants.map((e: { userId: string }) => e.userId)).not.toContain(first.winner.userId);

    // The rerolled winner never comes back in this raffle; the others may win again (repeats allowed).
    for (let i = 0; i < 3; i += 1) {
      const { drawRound } = await execute(api.url, DRAW, { raffleId: raffle.id });
      expect(drawRound.eligibleCount).toBe(2);
      expect(drawRound.winner.userId).not.toBe(first.winner.userId);
    }

    // Once only per round; a round without a winner has nothing to reroll.
    const again = await execute(api.url, REROLL, { roundId: first.id });
    expect(again.rerollRound).toMatchObject({ __typename: 'InvalidStateError', message: expect.stringMatching(/rerolled already/) });
    await execute(api.url, STOP, { raffleId: raffle.id });
    const { rerollRound: stopped } = await execute(api.url, REROLL, { roundId: rerollRound.id });
    expect(stopped).toMatchObject({ __typename: 'InvalidStateError', message: expect.stringMatching(/sealed raffle has ended/) });
    // After the stop the seed is public and the redraw verifies.
    const { round: verified } = await execute(api.url, ROUND, { id: rerollRound.id });
    expect(verifyBundle(verified.proof).verified).toBe(true);
  });

  it('a winner round with nobody else left: the copy goes back and the linked round is NO_ELIGIBLE_CHATTERS', async () => {
    const api = await start();
    const { raffle, item } = await raffleWith(api, { viewers: 1, stock: 2 });
    const { drawRound: first } = await execute(api.url, DRAW, { raffleId: raffle.id });
    const { rerollRound } = await execute(api.url, REROLL, { roundId: first.id });
    expect(rerollRound).toMatchObject({ outcome: 'NO_ELIGIBLE_CHATTERS', winner: null, rerollOf: { id: first.id } });
    expect(await remainingOf(api, item.id)).toBe(2);
    const { drawRound: skipped } = await execute(api.url, DRAW, { raffleId: raffle.id });
    expect(skipped.outcome).toBe('NO_ELIGIBLE_CHATTERS');
  });

  it('a drand raffle that just FINISHED with its last prize runs again for the reroll and finishes again', async () => {
    const chain = await relay();
    const api = await start({
      env: { DRAND_URLS: chain.url, DRAND_CHAIN_HASH: chain.chain.hash, DRAND_PUBLIC_KEY: chain.chain.publicKey, DRAND_TIMEOUT_MS: '3000' },
    });
    const { raffle, item } = await raffleWith(api, { viewers: 4, stock: 1, fairness: 'DRAND' });
    const { drawRound: first } = await execute(api.url, DRAW, { raffleId: raffle.id });
    expect(first.outcome).toBe('WINNER');
    const status = async () => (await api.services.db.raffle.findUniqueOrThrow({ where: { id: raffle.id } })).status;
    expect(await status()).toBe('FINISHED');
    const { rerollRound } = await execute(api.url, REROLL, { roundId: first.id });
    expect(rerollRound).toMatchObject({ __typename: 'Round', outcome: 'WINNER', rerollOf: { id: first.id }, item: { id: item.id } });
    expect(rerollRound.winner.userId).not.toBe(first.winner.userId);
    expect(await status()).toBe('FINISHED');
    expect(await remainingOf(api, item.id)).toBe(0);
    const { round } = await execute(api.url, ROUND, { id: rerollRound.id });
    expect(round.proof.forced).toBe(true);
    expect(verifyBundle(round.proof, { chains: [chain.chain] }).verified).toBe(true);
  });

  it('only the streamer side may reroll', async () => {
    const api = await start();
    const { raffle } = await raffleWith(api, { viewers: 3, stock: 2 });
    const { drawRound: first } = await execute(api.url, DRAW, { raffleId: raffle.id });
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: REROLL, variables: { roundId: first.id } }),
    });
    const body = await response.json();
    expect(body.errors?.[0]?.message).toBeTruthy();
    expect((await api.services.db.round.findUniqueOrThrow({ where: { id: Number(first.id) } })).rerolledAt).toBeNull();
  });
});
