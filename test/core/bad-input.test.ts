import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, request } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

describe('bad input gets a typed error and writes nothing', () => {
  let api: TestApp;
  let streamerId: string;
  beforeAll(async () => {
    api = await startTestApp();
    streamerId = (await createStreamer(api.url)).id;
  });
  afterAll(() => api?.stop());

  const itemCount = () => api.services.db.item.count({ where: { streamerId } });
  const raffleCount = () => api.services.db.raffle.count({ where: { streamerId } });

  it.each([
    ['zero weight', { name: 'a', weight: 0 }, ['items', '0', 'weight']],
    ['negative weight', { name: 'a', weight: -5 }, ['items', '0', 'weight']],
    ['huge weight', { name: 'a', weight: 2_000_000 }, ['items', '0', 'weight']],
    ['empty name', { name: '   ', weight: 1 }, ['items', '0', 'name']],
    ['200-character name', { name: 'x'.repeat(200), weight: 1 }, ['items', '0', 'name']],
    ['zero stock', { name: 'a', weight: 1, stock: 0 }, ['items', '0', 'stock']],
  ])('addItems with %s → ValidationError naming the field', async (_label, item, path) => {
    const before = await itemCount();
    const { addItems: result } = await execute(
      api.url,
      `mutation($streamerId: ID!, $items: [ItemInput!]!) { addItems(streamerId: $streamerId, items: $items) {
        __typename ... on ValidationError { message problems { path message } } } }`,
      { streamerId, items: [{ name: 'fine', weight: 1 }, item] },
    );
    expect(result.__typename).toBe('ValidationError');
    expect(result.problems.map((problem: any) => problem.path)).toEqual([[path[0], '1', path[2]]]);
    expect(await itemCount()).toBe(before);
  });

  it('a weight beyond GraphQL Int is refused by GraphQL itself', async () => {
    const response = await request(api.url, contractOperation('AddItems'), { streamerId, items: [{ name: 'a', weight: 3_000_000_000 }] });
    expect(response.errors?.[0]?.message).toMatch(/Int cannot represent/);
    expect(await itemCount()).toBe(0);
  });

  it('addItemsFromText reports each malformed entry and adds none of the batch', async () => {
    const { addItemsFromText } = await execute(
      api.url,
      `mutation($streamerId: ID!, $text: String!) { addItemsFromText(streamerId: $streamerId, text: $text) {
        __typename ... on ValidationError { problems { path message } } } }`,
      { streamerId, text: 'good:10, broken, worse:abc, zero:0, dup:1, DUP:2' },
    );
    expect(addItemsFromText.__typename).toBe('ValidationError');
    expect(addItemsFromText.problems.map((problem: any) => problem.path[1])).toEqual(['2', '3', '4', '6']);
    expect(await itemCount()).toBe(0);
  });

  it('duplicate names (also against existing items) are refused', async () => {
    await addItems(api.url, streamerId, [{ name: 'Golden Skin', weight: 5 }]);
    const { addItemsFromText } = await execute(api.url, contractOperation('AddItemsFromText'), { streamerId, text: 'golden skin:3' });
    expect(addItemsFromText).toMatchObject({ __typename: 'ValidationError', message: expect.stringMatching(/already exists/) });
    const { addItems: twice } = await execute(api.url, contractOperation('AddItems'), {
      streamerId,
      items: [{ name: 'cap', weight: 1 }, { name: 'CAP', weight: 1 }],
    });
    expect(twice).toMatchObject({ __typename: 'ValidationError', message: expect.stringMatching(/listed twice/) });
    expect(await itemCount()).toBe(1);
  });

  it('unknown ids → NotFoundError', async () => {
    const unknown = '00000000-0000-0000-0000-000000000000';
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['AddItems', { streamerId: unknown, items: [{ name: 'a', weight: 1 }] }, 'addItems'],
      ['UpdateItem', { id: unknown, patch: { weight: 2 } }, 'updateItem'],
      ['RemoveItem', { id: unknown }, 'removeItem'],
      ['StartRaffle', { input: { streamerId: unknown, intervalSeconds: 5 } }, 'startRaffle'],
      ['StopRaffle', { raffleId: unknown }, 'stopRaffle'],
      ['DrawRound', { raffleId: unknown }, 'drawRound'],
      ['SetAnnounceChannel', { streamerId: unknown, channelId: '123456789' }, 'setAnnounceChannel'],
    ];
    for (const [operation, variables, field] of cases) {
      const data = await execute(api.url, contractOperation(operation), variables);
      expect(data[field], operation).toMatchObject({ __typename: 'NotFoundError', message: expect.stringContaining(unknown) });
    }
  });

  it('stock lowered below the copies already won is refused', async () => {
    const [item] = await addItems(api.url, streamerId, [{ name: 'limited', weight: 1, stock: 3 }]);
    await api.services.db.item.update({ where: { id: item!.id }, data: { remaining: 1 } });
    const { updateItem } = await execute(api.url, contractOperation('UpdateItem'), { id: item!.id, patch: { stock: 1 } });
    expect(updateItem).toMatchObject({ __typename: 'ValidationError', message: expect.stringMatching(/2 already won/) });
    const { updateItem: raised } = await execute(api.url, contractOperation('UpdateItem'), { id: item!.id, patch: { stock: 5, name: 'limited ed.' } });
    expect(raised).toMatchObject({ __typename: 'Item', stock: 5, remaining: 3, name: 'limited ed.' });
  });

  it('raffle settings out of range → ValidationError; nothing started', async () => {
    for (const input of [
      { streamerId, intervalSeconds: 0 },
      { streamerId, intervalSeconds: -3 },
      { streamerId, intervalSeconds: 90_000 },
      { streamerId, intervalSeconds: 5, drawChance: 1.5 },
      { streamerId, intervalSeconds: 5, drawChance: 0 },
    ]) {
      const { startRaffle: result } = await execute(api.url, contractOperation('StartRaffle'), { input });
      expect(result.__typename, JSON.stringify(input)).toBe('ValidationError');
    }
    expect(await raffleCount()).toBe(0);
  });

  it('a second raffle, a raffle without prizes, and drawing on a stopped raffle are refused', async () => {
    const empty = (await createStreamer(api.url)).id;
    const { startRaffle: noPrizes } = await execute(api.url, contractOperation('StartRaffle'), { input: { streamerId: empty, intervalSeconds: 5 } });
    expect(noPrizes.__typename).toBe('InvalidStateError');

    const raffle = await startRaffle(api.url, { streamerId, intervalSeconds: 3600 });
    const { startRaffle: second } = await execute(api.url, contractOperation('StartRaffle'), { input: { streamerId, intervalSeconds: 5 } });
    expect(second).toMatchObject({ __typename: 'RaffleAlreadyRunningError' });
    expect(await raffleCount()).toBe(1);

    await execute(api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(drawRound).toMatchObject({ __typename: 'InvalidStateError', message: expect.stringMatching(/stopped/) });
    expect(await api.services.db.round.count({ where: { raffleId: raffle.id } })).toBe(0);
  });

  it('two concurrent starts produce exactly one raffle', async () => {
    const other = (await createStreamer(api.url)).id;
    await addItems(api.url, other, [{ name: 'x', weight: 1 }]);
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => execute(api.url, contractOperation('StartRaffle'), { input: { streamerId: other, intervalSeconds: 3600 } })),
    );
    const kinds = results.map((result) => result.startRaffle.__typename).sort();
    expect(kinds.filter((kind) => kind === 'Raffle')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'RaffleAlreadyRunningError')).toHaveLength(3);
  });

  it('a Discord id that is not a snowflake is refused', async () => {
    const { setAnnounceChannel } = await execute(api.url, contractOperation('SetAnnounceChannel'), { streamerId, channelId: 'general' });
    expect(setAnnounceChannel.__typename).toBe('ValidationError');
  });
});
