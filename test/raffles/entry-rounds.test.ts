/**
 * Entry modes in rounds (issue 13 part B): a KEYWORD raffle draws only from the people who typed
 * the keyword (through the EventSub stand-in), a PRESENCE raffle with luck draws with Helix-role
 * tickets, the tickets are in the proof (which verifies) and in Round.tickets.
 */
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/fairness/verify';
import { addItems } from '../support/factories.js';
import { contractOperation, execute } from '../support/graphql.js';
import { BROADCASTER, linkedStreamer, useFakeTwitch } from '../twitch/support.js';
import { badge, chatter, expectEntries, say, startKeywordRaffle, START_RAFFLE, waitForChatSubscriptions } from '../twitch/eventsub-support.js';

const fake = useFakeTwitch({ twitch: { eventsub: { keepaliveTimeoutSeconds: 2 } } });
const DRAW = contractOperation('DrawRound');
const STOP = contractOperation('StopRaffle');
const ROUND = /* GraphQL */ `query($id: ID!) { round(id: $id) { id outcome tickets winner { userId } proof } }`;

const asChatter = (p: { id: string; login: string; name: string }) => ({ userId: p.id, login: p.login, displayName: p.name });

describe('keyword raffles draw from the keyword entries', () => {
  it('only people who typed the keyword win, each once; lurkers and other talkers never', async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    const typers = [chatter('typer'), chatter('typer'), chatter('typer')];
    const others = Array.from({ length: 20 }, () => chatter('other'));
    // Everyone is present in chat (Get Chatters): presence would let the others win.
    fake.twitch.setChatters(BROADCASTER.id, [...typers, ...others].map(asChatter));
    const raffle = await startKeywordRaffle(api, streamer.id, { luck: { subscriber: 4 } });
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    for (const person of others) say(fake.twitch, person, 'oi, bom dia');
    say(fake.twitch, typers[0]!, 'sorteio', { badges: [badge('subscriber')] });
    say(fake.twitch, typers[1]!, 'SORTEIO!');
    say(fake.twitch, typers[2]!, 'quero sorteio');
    await expectEntries(api, raffle.id, typers.map((t) => t.id));

    const winners: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { drawRound } = await execute(api.url, DRAW, { raffleId: raffle.id });
      expect(drawRound).toMatchObject({ __typename: 'Round', outcome: 'WINNER', eligibleCount: 3 - i });
      winners.push(drawRound.winner.userId);
      const { round } = await execute(api.url, ROUND, { id: drawRound.id });
      expect(round.tickets).toBe(drawRound.winner.userId === typers[0]!.id ? 4 : 1);
      expect(round.proof.entrants).toHaveLength(3 - i);
    }
    expect(winners.sort()).toEqual(typers.map((t) => t.id).sort());
    // Everyone who entered has won: the next round has nobody, though the others are still in chat.
    const { drawRound: empty } = await execute(api.url, DRAW, { raffleId: raffle.id });
    expect(empty).toMatchObject({ outcome: 'NO_ELIGIBLE_CHATTERS', eligibleCount: 0, winner: null });
  });
});

describe('presence raffles with luck', () => {
  it('tickets come from Helix roles, enter the proof, and the proof verifies', async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    const sub = chatter('sub');
    const vip = chatter('vip');
    const viewers = [chatter(), chatter(), chatter()];
    fake.twitch.setChatters(BROADCASTER.id, [sub, vip, ...viewers].map(asChatter));
    fake.twitch.addRole('subscriber', BROADCASTER.id, sub.id);
    fake.twitch.addRole('vip', BROADCASTER.id, vip.id);
    await addItems(api.url, streamer.id, [{ name: 'skin', weight: 1, stock: 3 }]);
    const { startRaffle } = await execute(api.url, START_RAFFLE, {
      input: { streamerId: streamer.id, intervalSeconds: 3600, luck: { subscriber: 3, vip: 2 } },
    });
    expect(startRaffle.__typename).toBe('Raffle');
    const { drawRound } = await execute(api.url, DRAW, { raffleId: startRaffle.id });
    expect(drawRound).toMatchObject({ outcome: 'WINNER', eligibleCount: 5 });
    await execute(api.url, STOP, { raffleId: startRaffle.id });

    const { round } = await execute(api.url, ROUND, { id: drawRound.id });
    const tickets = Object.fromEntries(round.proof.entrants.map((e: { userId: string; tickets: number }) => [e.userId, e.tickets]));
    expect(tickets).toEqual({ [sub.id]: 3, [vip.id]: 2, [viewers[0]!.id]: 1, [viewers[1]!.id]: 1, [viewers[2]!.id]: 1 });
    expect(round.tickets).toBe(tickets[round.winner.userId]);
    const result = verifyBundle(round.proof);
    expect(result.steps.filter((step) => !step.ok)).toEqual([]);
    expect(result.verified).toBe(true);
    // The tickets are part of the commit: a bundle with one entrant's tickets changed fails.
    const forged = structuredClone(round.proof);
    forged.entrants.find((e: { userId: string }) => e.userId === sub.id).tickets = 1;
    expect(verifyBundle(forged).verified).toBe(false);
  });
});
