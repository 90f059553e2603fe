import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { execute } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';
import { postGraphQL, serverFailure } from './graphql-request';

/**
 * Regression tests for what the fuzzer found: each input used to answer a masked
 * INTERNAL_SERVER_ERROR (and log a full Prisma dump); now a clean BAD_USER_INPUT error.
 */
describe('inputs the fuzzer found get a clean error, not a masked one', () => {
  let api: TestApp;
  let streamerId: string;
  let raffleId: string;
  const cursor = (text: string) => Buffer.from(text).toString('base64');

  beforeAll(async () => {
    api = await startTestApp();
    streamerId = (await createStreamer(api.url)).id;
    await addItems(api.url, streamerId, [{ name: 'prize', weight: 1, stock: 5 }]);
    raffleId = (await startRaffle(api.url, { streamerId, intervalSeconds: 3600 })).id;
  });
  afterAll(() => api?.stop());

  async function expectBadUserInput(query: string, variables: Record<string, unknown>, message: RegExp) {
    const response = await postGraphQL(api.url, JSON.stringify({ query, variables }));
    expect(serverFailure(response)).toBeNull();
    expect(response.json?.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } });
  }

  it.each([
    ['99999999999999999999999'],
    ['-187509318675148540586763'],
    ['2147483648'],
    ['1.5'],
    ['abc'],
  ])('roundsSince(afterRoundId: %j) → BAD_USER_INPUT', async (afterRoundId) => {
    await expectBadUserInput(
      'query($s: ID!, $a: ID) { roundsSince(streamerId: $s, afterRoundId: $a) { id } }',
      { s: streamerId, a: afterRoundId },
      /afterRoundId must be a round id/,
    );
  });

  it('roundsSince still pages from a real round id', async () => {
    const { drawRound } = await execute(api.url, 'mutation($r: ID!) { drawRound(raffleId: $r) { ... on Round { id } } }', { r: raffleId });
    const all = await execute(api.url, 'query($s: ID!, $a: ID) { roundsSince(streamerId: $s, afterRoundId: $a) { id } }', { s: streamerId, a: '0' });
    expect(all.roundsSince.map((round: { id: string }) => round.id)).toContain(drawRound.id);
    const after = await execute(api.url, 'query($s: ID!, $a: ID) { roundsSince(streamerId: $s, afterRoundId: $a) { id } }', { s: streamerId, a: drawRound.id });
    expect(after.roundsSince).toEqual([]);
  });

  it('markRoundsAnnouncedInDiscord skips ids that cannot be round ids', async () => {
    const { markRoundsAnnouncedInDiscord } = await execute(api.url, 'mutation($ids: [ID!]!) { markRoundsAnnouncedInDiscord(roundIds: $ids) { id } }', {
      ids: ['9007199254740991', '2147483648', '99999999999999999999999', 'x'],
    });
    expect(markRoundsAnnouncedInDiscord).toEqual([]);
  });

  it.each([
    ['a number too large for a round id', cursor('GPC:N:1208925819614629174706158')],
    ['a text cursor on round ids', cursor('GPC:S:x')],
    ['a negative number', cursor('GPC:N:-1')],
  ])('Raffle.rounds(after: %s) → BAD_USER_INPUT', async (_label, after) => {
    await expectBadUserInput('query($r: ID!, $c: String) { raffle(id: $r) { rounds(after: $c) { edges { cursor } } } }', { r: raffleId, c: after }, /after is not a cursor/);
  });

  it.each([
    ['a number cursor on text ids', cursor('GPC:N:5')],
    ['a NUL inside the cursor', cursor('GPC:S:\u0000')],
  ])('Streamer.raffles(before: %s) → BAD_USER_INPUT', async (_label, before) => {
    await expectBadUserInput('query($s: ID!, $c: String) { streamer(id: $s) { raffles(before: $c, last: 2) { edges { cursor } } } }', { s: streamerId, c: before }, /before is not a cursor/);
  });

  it('a real cursor still pages', async () => {
    const first = await execute(api.url, 'query($r: ID!) { raffle(id: $r) { rounds(first: 1) { edges { cursor } } } }', { r: raffleId });
    const cursorSeen = first.raffle.rounds.edges[0].cursor;
    const next = await execute(api.url, 'query($r: ID!, $c: String) { raffle(id: $r) { rounds(after: $c) { edges { cursor } } } }', { r: raffleId, c: cursorSeen });
    expect(next.raffle.rounds.edges).toEqual([]);
  });

  it.each([
    ['streamerByGuild', 'query($v: String!) { streamerByGuild(guildId: $v) { id } }'],
    ['streamer', 'query($v: ID!) { streamer(id: $v) { id } }'],
    ['removeItem', 'mutation($v: ID!) { removeItem(id: $v) { __typename } }'],
    ['startRaffle', 'mutation($v: ID!) { startRaffle(input: { streamerId: $v, intervalSeconds: 5 }) { __typename } }'],
  ])('%s with a NUL character (as a variable) → BAD_USER_INPUT', async (_field, query) => {
    await expectBadUserInput(query, { v: 'a\u0000b' }, /NUL character/);
  });

  it('a NUL character in a literal is refused too, and nothing is written', async () => {
    const before = await api.services.db.item.count();
    await expectBadUserInput(`mutation { addItems(streamerId: ${JSON.stringify(streamerId)}, items: [{ name: "a\\u0000b", weight: 1 }]) { __typename } }`, {}, /NUL character/);
    expect(await api.services.db.item.count()).toBe(before);
  });
});
