/**
 * The dashboard's server side for the overlay studio and the history (issue 11): overlay settings
 * (validated per field, readable by the overlay key, applied live), the test win (only the
 * overlay sees it: no round, nothing stored or announced), Raffle.rounds(outcome) with cursor
 * paging, and the rounds CSV (every round, streamed in pages, escaped).
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { publicUrlOf } from '../../src/config/config';
import { CSV_PAGE_SIZE } from '../../src/raffles/rounds-csv';
import { describeWith } from '../support/describe-with';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, request, subscribe } from '../support/graphql';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { startCluster, waitForRedisSubscribers, type Cluster } from '../realtime/realtime-support';

const SETTINGS = 'position scale font textColor accentColor backgroundColor language';
const UPDATE = /* GraphQL */ `
  mutation($id: ID!, $settings: OverlaySettingsInput!) {
    updateOverlaySettings(streamerId: $id, settings: $settings) {
      __typename
      ... on Streamer { id overlaySettings { ${SETTINGS} } }
      ... on ValidationError { message problems { path message } }
      ... on Error { message }
    }
  }
`;
const TEST_WIN = /* GraphQL */ `
  mutation($id: ID!) { sendOverlayTestWin(streamerId: $id) { __typename ... on OverlayTestWinSent { at } ... on Error { message } } }
`;
const OVERLAY_EVENTS = /* GraphQL */ `
  subscription($id: ID!) { overlayEvents(streamerId: $id) { kind at settings { ${SETTINGS} } testWin { itemName winnerDisplayName reel } } }
`;

const keyOf = (overlayUrl: string) => new URL(overlayUrl).searchParams.get('key')!;

describe('overlay settings, test win, history filter and CSV', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  it('settings: defaults, a partial change, null resets; read back by the overlay key', async () => {
    const streamer = await createStreamer(api.url);
    const read = async () =>
      (await request(api.url, `query($id: ID!) { streamer(id: $id) { overlaySettings { ${SETTINGS} } } }`, { id: streamer.id }, { token: null, overlayKey: keyOf(streamer.overlayUrl) }))
        .data?.streamer.overlaySettings;
    expect(await read()).toEqual({
      position: 'CENTER', scale: 1, font: 'system', textColor: '#ffffff', accentColor: '#9146ff', backgroundColor: 'transparent', language: null,
    });
    const { updateOverlaySettings } = await execute(api.url, UPDATE, {
      id: streamer.id,
      settings: { position: 'BOTTOM_LEFT', scale: 1.75, font: 'serif', textColor: '#112233', accentColor: '#FFAA0080', backgroundColor: '#00000099', language: 'en' },
    });
    expect(updateOverlaySettings.__typename).toBe('Streamer');
    const changed = { position: 'BOTTOM_LEFT', scale: 1.75, font: 'serif', textColor: '#112233', accentColor: '#FFAA0080', backgroundColor: '#00000099', language: 'en' };
    expect(await read()).toEqual(changed);
    await execute(api.url, UPDATE, { id: streamer.id, settings: { scale: 2 } });
    expect(await read()).toEqual({ ...changed, scale: 2 });
    await execute(api.url, UPDATE, { id: streamer.id, settings: { language: null, backgroundColor: null } });
    expect(await read()).toEqual({ ...changed, scale: 2, language: null, backgroundColor: 'transparent' });
    const fonts = await execute(api.url, `{ overlayFonts }`, {});
    expect(fonts.overlayFonts).toContain('serif');
  });

  it('bad settings: a ValidationError with one problem per field, and nothing stored', async () => {
    const streamer = await createStreamer(api.url);
    const { updateOverlaySettings } = await execute(api.url, UPDATE, {
      id: streamer.id,
      settings: { scale: 3.5, font: 'Comic Sans', textColor: 'red', accentColor: '#12345', backgroundColor: 'url(x)', language: 'fr', position: 'TOP_LEFT' },
    });
    expect(updateOverlaySettings.__typename).toBe('ValidationError');
    expect(updateOverlaySettings.problems.map((problem: { path: string[] }) => problem.path.join('.')).sort()).toEqual(
      ['settings.accentColor', 'settings.backgroundColor', 'settings.font', 'settings.language', 'settings.scale', 'settings.textColor'].sort(),
    );
    for (const problem of updateOverlaySettings.problems) expect(problem.message).toMatch(/must be/);
    const tooSmall = await execute(api.url, UPDATE, { id: streamer.id, settings: { scale: 0.25 } });
    expect(tooSmall.updateOverlaySettings.problems).toEqual([{ path: ['settings', 'scale'], message: 'scale must be at least 0.5' }]);
    const row = await api.services.db.streamer.findUniqueOrThrow({ where: { id: streamer.id } });
    expect(row.overlaySettings).toBeNull();
    const unknown = await execute(api.url, UPDATE, { id: '00000000-0000-4000-8000-000000000000', settings: { scale: 1 } });
    expect(unknown.updateOverlaySettings.__typename).toBe('NotFoundError');
  });

  it('the overlay key hears settings changes and test wins; a test win is no round, stores and announces nothing', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(10));
    await addItems(api.url, streamer.id, [{ name: 'golden ticket', weight: 1, stock: 5 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const overlay = { overlayKey: keyOf(streamer.overlayUrl) };
    const events = await subscribe(api.url, OVERLAY_EVENTS, { id: streamer.id }, overlay);
    const raffleEvents = await subscribe(api.url, contractOperation('RaffleEvents'), { streamerId: streamer.id }, overlay);
    try {
      await api.services.events.whenLive();
      const before = await countsOf(api, streamer.id);
      await execute(api.url, UPDATE, { id: streamer.id, settings: { position: 'TOP_RIGHT', accentColor: '#00ff00' } });
      const changed = (await events.next()).overlayEvents;
      expect(changed).toMatchObject({ kind: 'SETTINGS_CHANGED', testWin: null, settings: { position: 'TOP_RIGHT', accentColor: '#00ff00' } });

      const sent = await execute(api.url, TEST_WIN, { id: streamer.id });
      expect(sent.sendOverlayTestWin.__typename).toBe('OverlayTestWinSent');
      const win = (await events.next()).overlayEvents;
      expect(win.kind).toBe('TEST_WIN');
      expect(win.at).toBe(sent.sendOverlayTestWin.at);
      expect(win.testWin.itemName).toBe('golden ticket');
      expect(win.testWin.reel.at(-1)).toBe(win.testWin.winnerDisplayName);
      expect(win.settings.position).toBe('TOP_RIGHT');
      expect(await countsOf(api, streamer.id)).toEqual(before);

      // The raffle's own stream saw no event for the test: its next event is the real round.
      const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      // (A provable round first publishes its COMMITTED event, which has no round yet.)
      let next = (await raffleEvents.next()).raffleEvents;
      if (next.kind === 'COMMITTED') next = (await raffleEvents.next()).raffleEvents;
      expect(next.kind).toBe('ROUND');
      expect(next.round.id).toBe(drawRound.id);
    } finally {
      await events.return();
      await raffleEvents.return();
    }
  });

  it('overlayReelNames: display names from the live chat, never more than asked', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(40));
    const { streamer: read } = (
      await request(api.url, `query($id: ID!) { streamer(id: $id) { overlayReelNames(size: 8) } }`, { id: streamer.id }, { token: null, overlayKey: keyOf(streamer.overlayUrl) })
    ).data!;
    expect(read.overlayReelNames).toHaveLength(8);
    expect(new Set(read.overlayReelNames).size).toBe(8);
  });

  it('Raffle.rounds(outcome): only that outcome, cursor paging intact', async () => {
    const { raffleId } = await raffleWithRounds(api, 30, (n) => (n % 3 === 0 ? 'WINNER' : n % 3 === 1 ? 'SKIPPED' : 'NO_ELIGIBLE_CHATTERS'));
    const page = `query($id: ID!, $after: String, $outcome: RoundOutcome) {
      raffle(id: $id) { rounds(first: 4, after: $after, outcome: $outcome) { pageInfo { hasNextPage endCursor } edges { node { number outcome } } } }
    }`;
    const numbers: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard += 1) {
      const data: any = await execute(api.url, page, { id: raffleId, after, outcome: 'WINNER' });
      const { pageInfo, edges } = data.raffle.rounds;
      for (const edge of edges) {
        expect(edge.node.outcome).toBe('WINNER');
        numbers.push(edge.node.number);
      }
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(numbers).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 3));
    const all = await execute(api.url, page, { id: raffleId, after: null, outcome: null });
    expect(all.raffle.rounds.edges.map((edge: any) => edge.node.number)).toEqual([1, 2, 3, 4]);
  });

  it('CSV: 1,000 rounds, every one in order, streamed a page at a time, escaped, with the formula guard', async () => {
    const tricky = ['=HYPERLINK("http://evil")', '+1 cmd', '-2', '@SUM(A1)', 'comma, name', 'quote "me"', 'line\nbreak', 'Ação'];
    const { raffleId, streamerId } = await raffleWithRounds(api, 1000, (n) => (n % 2 === 0 ? 'WINNER' : 'SKIPPED'), tricky);
    const findMany = vi.spyOn(api.services.db.round, 'findMany');
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${api.url}/raffles/${raffleId}/rounds.csv`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
      expect(response.status).toBe(200);
      text = await response.text();
      // 1000 rounds in pages of CSV_PAGE_SIZE: never one query for all of them.
      expect(findMany.mock.calls.length).toBe(Math.floor(1000 / CSV_PAGE_SIZE) + 1);
      for (const [args] of findMany.mock.calls) expect((args as { take: number }).take).toBe(CSV_PAGE_SIZE);
    } finally {
      findMany.mockRestore();
    }
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="raffle-${raffleId}-rounds.csv"`);
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(1000);
    const stored = await api.services.db.round.findMany({ where: { raffleId }, orderBy: { number: 'asc' }, include: { item: true } });
    rows.forEach((row, index) => {
      const round = stored[index]!;
      const guard = (value: string | null) => (value && /^[=+\-@\t\r]/.test(value) ? `'${value}` : (value ?? ''));
      expect(row).toEqual({
        number: String(round.number),
        at: round.at.toISOString(),
        outcome: round.outcome,
        eligibleCount: String(round.eligibleCount),
        itemId: round.itemId ?? '',
        itemName: round.item?.name ?? '',
        winnerUserId: round.winnerUserId ?? '',
        winnerLogin: round.winnerLogin ?? '',
        winnerDisplayName: guard(round.winnerDisplayName),
        roundId: String(round.id),
        verifyUrl: `${publicUrlOf(api.config, api.port)}/verify/${round.id}`,
      });
    });
    expect(rows.map((row) => row.winnerDisplayName)).toContain(`'=HYPERLINK("http://evil")`);
    expect(rows.map((row) => row.winnerDisplayName)).toContain('line\nbreak');
    expect(rows.map((row) => row.winnerDisplayName)).toContain('quote "me"');
    expect(text).toContain('"quote ""me"""');
    expect(rows[0]!.verifyUrl).toMatch(/^http:\/\/[\w.]+:\d+\/verify\/\d+$/);
    expect(streamerId).toBeTruthy();
  });

  it('CSV: anonymous 403 with a sentence, an unknown raffle 404', async () => {
    const { raffleId } = await raffleWithRounds(api, 2, () => 'SKIPPED');
    const anonymous = await fetch(`${api.url}/raffles/${raffleId}/rounds.csv`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toMatch(/Log in/);
    const unknown = await fetch(`${api.url}/raffles/00000000-0000-4000-8000-000000000000/rounds.csv`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    expect(unknown.status).toBe(404);
    const notAnId = await fetch(`${api.url}/raffles/nope/rounds.csv`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    expect(notAnId.status).toBe(404);
  });
});

describeWith({ postgres: true, redis: true }, 'overlay events across instances (Redis)', ({ postgresUrl, redisUrl }) => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ postgresUrl, redisUrl, count: 2 });
  });
  afterAll(() => cluster?.stop());

  it('a test win sent on instance A reaches the overlay subscribed on instance B', async () => {
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    const events = await subscribe(b!.url, OVERLAY_EVENTS, { id: streamer.id }, { overlayKey: keyOf(streamer.overlayUrl) });
    try {
      await waitForRedisSubscribers(redisUrl, `overlayEvents:${streamer.id}`);
      await execute(a!.url, UPDATE, { id: streamer.id, settings: { scale: 2.5 } });
      expect((await events.next(15_000)).overlayEvents).toMatchObject({ kind: 'SETTINGS_CHANGED', settings: { scale: 2.5 } });
      await execute(a!.url, TEST_WIN, { id: streamer.id });
      expect((await events.next(15_000)).overlayEvents).toMatchObject({ kind: 'TEST_WIN', testWin: { winnerDisplayName: expect.any(String) } });
    } finally {
      await events.return();
    }
  });
});

async function countsOf(api: TestApp, streamerId: string) {
  const { db } = api.services;
  return {
    rounds: await db.round.count({ where: { raffle: { streamerId } } }),
    outbox: await db.outboxMessage.count(),
    raffles: await db.raffle.findMany({ where: { streamerId }, select: { id: true, roundCount: true, status: true } }),
    items: await db.item.findMany({ where: { streamerId }, select: { id: true, remaining: true } }),
  };
}

/** A stopped raffle with `count` rounds written directly (winners get names from `names`, in turn). */
async function raffleWithRounds(api: TestApp, count: number, outcomeOf: (n: number) => 'WINNER' | 'SKIPPED' | 'NO_ELIGIBLE_CHATTERS', names: string[] = ['Winner']) {
  const streamer = await createStreamer(api.url);
  const [item] = await addItems(api.url, streamer.id, [{ name: 'prize, "quoted"', weight: 1, stock: 1 }]);
  const { db } = api.services;
  const raffle = await db.raffle.create({
    data: { streamerId: streamer.id, intervalSeconds: 60, drawChance: 1, status: 'STOPPED', endedAt: new Date(), endReason: 'STOPPED', nextRoundAt: new Date(), roundCount: count },
  });
  const start = Date.now() - count * 1000;
  await db.round.createMany({
    data: Array.from({ length: count }, (_, index) => {
      const number = index + 1;
      const outcome = outcomeOf(number);
      const name = names[Math.floor(index / 2) % names.length]!;
      return {
        raffleId: raffle.id,
        number,
        at: new Date(start + index * 1000),
        outcome,
        eligibleCount: 10 + (index % 7),
        ...(outcome === 'WINNER' ? { itemId: item!.id, winnerUserId: `u${number}`, winnerLogin: `viewer${number}`, winnerDisplayName: name } : {}),
      };
    }),
  });
  return { raffleId: raffle.id, streamerId: streamer.id };
}
