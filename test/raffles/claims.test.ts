/**
 * Claim windows (issue 13) through the EventSub stand-in: only the winner's own !claim / !resgatar
 * before the deadline claims; at the deadline the claim EXPIRES exactly once, the copy goes back
 * and a replacement round (rerollOf) is drawn at once; CLAIM events are published; the chat
 * announcement says how to claim.
 */
import { describe, expect, it } from 'vitest';
import { ENTRY_CONTRACT_FILE, contractOperation, execute, subscribe } from '../support/graphql.js';
import { linkedStreamer, useFakeTwitch } from '../twitch/support.js';
import { chatter, eventually, expectEntries, say, startKeywordRaffle, waitForChatSubscriptions } from '../twitch/eventsub-support.js';

const fake = useFakeTwitch({ twitch: { eventsub: { keepaliveTimeoutSeconds: 2 } } });
const DRAW = contractOperation('DrawRound');
const CLAIM = contractOperation('RoundClaim', ENTRY_CONTRACT_FILE);
const EVENTS = /* GraphQL */ `subscription($streamerId: ID!) { raffleEvents(streamerId: $streamerId) { kind roundId round { id claim { status } } } }`;

async function claimSetup(claimSeconds: number) {
  const api = await fake.app();
  const streamer = await linkedStreamer(api, fake.twitch);
  const raffle = await startKeywordRaffle(api, streamer.id, { claimSeconds });
  await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
  const people = [chatter('p'), chatter('p'), chatter('p')];
  for (const person of people) say(fake.twitch, person, 'sorteio');
  await expectEntries(api, raffle.id, people.map((p) => p.id));
  return { api, streamer, raffle, people };
}

const claimOf = async (api: { url: string }, roundId: string) => (await execute(api.url, CLAIM, { roundId })).round;

describe('claim windows', () => {
  it("only the winner's own !claim before the deadline claims; the announcement says how", async () => {
    const { api, streamer, people } = await claimSetup(120);
    const events = await subscribe(api.url, EVENTS, { streamerId: streamer.id });
    try {
      const raffleId = (await api.services.db.raffle.findFirstOrThrow({ where: { streamerId: streamer.id } })).id;
      const { drawRound } = await execute(api.url, DRAW, { raffleId });
      expect(drawRound.outcome).toBe('WINNER');
      const pending = await claimOf(api, drawRound.id);
      expect(pending.claim.status).toBe('PENDING');
      const left = Date.parse(pending.claim.deadline) - Date.parse(pending.at);
      expect(left).toBeGreaterThan(119_000);
      expect(left).toBeLessThanOrEqual(120_000);

      const winner = people.find((p) => p.id === drawRound.winner.userId)!;
      const other = people.find((p) => p.id !== winner.id)!;
      say(fake.twitch, other, '!claim');
      say(fake.twitch, winner, 'claim');
      // The announcement says how to claim (pt-BR by default).
      await expect.poll(() => fake.twitch.sentMessages.length, { timeout: 5_000, interval: 25 }).toBe(1);
      expect(fake.twitch.sentMessages[0]!.message).toContain('Digite !resgatar no chat em até 120 s');
      expect((await claimOf(api, drawRound.id)).claim.status).toBe('PENDING');

      say(fake.twitch, winner, '!RESGATAR agora');
      await eventually(async () => expect((await claimOf(api, drawRound.id)).claim.status).toBe('CLAIMED'));
      for (;;) {
        const { raffleEvents } = (await events.next(5_000)) as any;
        if (raffleEvents.kind !== 'CLAIM') continue;
        expect(raffleEvents).toMatchObject({ roundId: drawRound.id, round: { id: drawRound.id, claim: { status: 'CLAIMED' } } });
        break;
      }
      // Claimed once: typing it again changes nothing.
      say(fake.twitch, winner, '!claim');
      expect((await claimOf(api, drawRound.id)).claim.status).toBe('CLAIMED');
    } finally {
      await events.return();
    }
  });

  it('at the deadline: EXPIRED, the copy back, a replacement round linked by rerollOf, the late claim does nothing', async () => {
    const { api, streamer, raffle, people } = await claimSetup(1);
    const { drawRound } = await execute(api.url, DRAW, { raffleId: raffle.id });
    const item = await api.services.db.item.findFirstOrThrow({ where: { streamerId: streamer.id } });
    expect(item.remaining).toBe(4);
    await eventually(async () => expect((await claimOf(api, drawRound.id)).claim.status).toBe('EXPIRED'), 10_000);
    const redraw = await eventually(async () => {
      const found = await api.services.db.round.findUnique({ where: { rerollOfId: Number(drawRound.id) } });
      expect(found).not.toBeNull();
      return found!;
    });
    expect(redraw).toMatchObject({ outcome: 'WINNER', eligibleCount: 2, claimStatus: 'PENDING' });
    expect(redraw.winnerUserId).not.toBe(drawRound.winner.userId);
    // One copy back, one taken by the replacement.
    expect((await api.services.db.item.findUniqueOrThrow({ where: { id: item.id } })).remaining).toBe(4);
    // Exactly once: one replacement only, and the late claim does nothing.
    say(fake.twitch, people.find((p) => p.id === drawRound.winner.userId)!, '!claim');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await claimOf(api, drawRound.id)).claim.status).toBe('EXPIRED');
    expect(await api.services.db.round.count({ where: { rerollOfId: Number(drawRound.id) } })).toBe(1);
  });
});
