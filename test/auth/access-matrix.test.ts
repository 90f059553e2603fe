/**
 * Who may call what, through the real endpoints: every principal × every operation on streamer S,
 * allowed or refused (UNAUTHENTICATED / FORBIDDEN), and a refused call changes nothing in the
 * database. Persons (the dashboard's principal) have no login session yet (a later issue): the
 * test app gets a principal resolver that also understands a test-only header / connection param,
 * injected through AppOptions.principals; production builds the standard resolver alone.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { personPrincipal } from '../../src/auth/principal';
import type { HeaderSource, PrincipalResolver } from '../../src/auth/principal-resolver';
import { generateViewers, InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import { createFakeTwitch, type FakeTwitch } from '../stand-ins/twitch/fake-twitch';
import { newGuildId } from '../support/factories';
import { contractOperation, subscribe, type Subscription } from '../support/graphql';
import { TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { linkedStreamer, startTwitchApp } from '../twitch/support';

const PERSON_HEADER = 'x-test-person';
const PERSON_PARAM = 'testPerson';

/** Test only: a person named by a header / connection param, else the app's standard rules. */
function withTestPersons(standard: PrincipalResolver): PrincipalResolver {
  const personOf = (headers: HeaderSource) =>
    typeof headers.get === 'function' ? (headers as Headers).get(PERSON_HEADER) : (headers as Record<string, string>)[PERSON_HEADER];
  return {
    fromHeaders: async (headers) => {
      const person = personOf(headers);
      return person ? personPrincipal(person) : standard.fromHeaders(headers);
    },
    fromConnectionParams: async (params) => {
      const person = params?.[PERSON_PARAM];
      return typeof person === 'string' ? personPrincipal(person) : standard.fromConnectionParams(params);
    },
  };
}

const OWNER_S = { id: '5101', login: 'owner_s', displayName: 'Owner_S' };
const OWNER_T = { id: '5201', login: 'owner_t', displayName: 'Owner_T' };
const EDITOR_S = { id: '5102', login: 'editor_s' };

type Permission = 'watch' | 'steer' | 'manage' | 'service';
type Refusal = 'UNAUTHENTICATED' | 'FORBIDDEN';

interface Caller {
  name: string;
  /** What it may do on S, written out by hand. */
  may: Permission[];
  refusal: Refusal;
  headers(): Promise<Record<string, string>>;
  connectionParams(): Promise<Record<string, unknown>>;
}

let twitch: FakeTwitch;
let api: TestApp;
const chatters = new InMemoryChatterSource();
let S: { id: string; guildId: string };
let T: { id: string; guildId: string };
let firstItemId: string;
let secondItemId: string;

const overlayKeyOf = async (streamerId: string) => {
  const streamer = await api.services.db.streamer.findUniqueOrThrow({ where: { id: streamerId }, select: { id: true, overlayKeyEnc: true } });
  return new URL(api.services.streamers.overlayUrl(streamer)).searchParams.get('key')!;
};

const callers: Caller[] = [
  {
    name: 'service',
    may: ['watch', 'steer', 'manage', 'service'],
    refusal: 'FORBIDDEN',
    headers: async () => ({ authorization: `Bearer ${TEST_API_TOKEN}` }),
    connectionParams: async () => ({ authorization: `Bearer ${TEST_API_TOKEN}` }),
  },
  {
    name: 'overlay of S',
    may: ['watch'],
    refusal: 'FORBIDDEN',
    // Read afresh: rotateOverlayKey (allowed for some) changes it.
    headers: async () => ({ 'x-overlay-key': await overlayKeyOf(S.id) }),
    connectionParams: async () => ({ overlayKey: await overlayKeyOf(S.id) }),
  },
  {
    name: 'overlay of T',
    may: [],
    refusal: 'FORBIDDEN',
    headers: async () => ({ 'x-overlay-key': await overlayKeyOf(T.id) }),
    connectionParams: async () => ({ overlayKey: await overlayKeyOf(T.id) }),
  },
  {
    name: 'OWNER of S',
    may: ['watch', 'steer', 'manage'],
    refusal: 'FORBIDDEN',
    headers: async () => ({ [PERSON_HEADER]: OWNER_S.id }),
    connectionParams: async () => ({ [PERSON_PARAM]: OWNER_S.id }),
  },
  {
    name: 'EDITOR of S',
    may: ['watch', 'steer'],
    refusal: 'FORBIDDEN',
    headers: async () => ({ [PERSON_HEADER]: EDITOR_S.id }),
    connectionParams: async () => ({ [PERSON_PARAM]: EDITOR_S.id }),
  },
  {
    // Owns T: a role elsewhere gives nothing on S.
    name: 'a stranger person (OWNER of T)',
    may: [],
    refusal: 'FORBIDDEN',
    headers: async () => ({ [PERSON_HEADER]: OWNER_T.id }),
    connectionParams: async () => ({ [PERSON_PARAM]: OWNER_T.id }),
  },
  {
    name: 'anonymous',
    may: [],
    refusal: 'UNAUTHENTICATED',
    headers: async () => ({}),
    connectionParams: async () => ({}),
  },
  {
    name: 'a wrong token',
    may: [],
    refusal: 'UNAUTHENTICATED',
    headers: async () => ({ authorization: 'Bearer not-the-api-token-0123456789-0123456789' }),
    connectionParams: async () => ({ authorization: 'Bearer not-the-api-token-0123456789-0123456789' }),
  },
  {
    name: 'the raw token without Bearer',
    may: [],
    refusal: 'UNAUTHENTICATED',
    headers: async () => ({ authorization: TEST_API_TOKEN }),
    connectionParams: async () => ({ authorization: TEST_API_TOKEN }),
  },
];

async function send(caller: Caller, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(await caller.headers()) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** Everything a refused operation could have changed (not outbox delivery state, which the worker updates). */
async function snapshot(): Promise<string> {
  const { db } = api.services;
  const state = await Promise.all([
    db.streamer.findMany({ orderBy: { id: 'asc' } }),
    db.twitchCredential.findMany({ orderBy: { streamerId: 'asc' }, select: { streamerId: true, accessTokenEnc: true, refreshTokenEnc: true, scopes: true } }),
    db.twitchLinkState.findMany({ orderBy: { stateHash: 'asc' } }),
    db.streamerEditor.findMany({ orderBy: [{ streamerId: 'asc' }, { twitchUserId: 'asc' }] }),
    db.item.findMany({ orderBy: { id: 'asc' } }),
    db.raffle.findMany({ orderBy: { id: 'asc' } }),
    db.round.findMany({ orderBy: { id: 'asc' } }),
    db.outboxMessage.count(),
  ]);
  return JSON.stringify(state);
}

const runningRaffleId = async () =>
  (await api.services.db.raffle.findFirstOrThrow({ where: { streamerId: S.id, status: 'RUNNING' }, select: { id: true } })).id;
const latestRaffleId = async () =>
  (await api.services.db.raffle.findFirstOrThrow({ where: { streamerId: S.id }, orderBy: { startedAt: 'desc' }, select: { id: true } })).id;

interface Operation {
  name: string;
  needs: Permission;
  field: string;
  query: string | (() => string);
  variables(caller: Caller): Promise<Record<string, unknown>>;
}

const slug = (caller: Caller) => caller.name.replace(/\W+/g, '-');

/** In order: later operations rely on what the allowed callers of earlier ones did (a raffle, items). */
const operations: Operation[] = [
  { name: 'streamer(id)', needs: 'watch', field: 'streamer', query: `query($id: ID!) { streamer(id: $id) { id overlayUrl items { id } } }`, variables: async () => ({ id: S.id }) },
  { name: 'streamerByGuild', needs: 'service', field: 'streamerByGuild', query: () => contractOperation('StreamerByGuild'), variables: async () => ({ guildId: S.guildId }) },
  { name: 'roundsSince', needs: 'watch', field: 'roundsSince', query: `query($id: ID!) { roundsSince(streamerId: $id) { id } }`, variables: async () => ({ id: S.id }) },
  {
    name: 'liveChatters',
    needs: 'steer',
    field: 'liveChatters',
    query: `query($id: ID!) { liveChatters(streamerId: $id) { __typename ... on LiveChatters { count } ... on Error { message } } }`,
    variables: async () => ({ id: S.id }),
  },
  { name: 'addItems', needs: 'steer', field: 'addItems', query: () => contractOperation('AddItems'), variables: async (caller) => ({ streamerId: S.id, items: [{ name: `prize ${slug(caller)}`, weight: 1, stock: 5 }] }) },
  { name: 'addItemsFromText', needs: 'steer', field: 'addItemsFromText', query: () => contractOperation('AddItemsFromText'), variables: async (caller) => ({ streamerId: S.id, text: `text ${slug(caller)}:2` }) },
  { name: 'updateItem', needs: 'steer', field: 'updateItem', query: () => contractOperation('UpdateItem'), variables: async (caller) => ({ id: firstItemId, patch: { name: `renamed ${slug(caller)}` } }) },
  { name: 'setAnnounceChannel', needs: 'steer', field: 'setAnnounceChannel', query: () => contractOperation('SetAnnounceChannel'), variables: async () => ({ streamerId: S.id, channelId: '123456789012' }) },
  { name: 'startRaffle', needs: 'steer', field: 'startRaffle', query: () => contractOperation('StartRaffle'), variables: async () => ({ input: { streamerId: S.id, intervalSeconds: 3600 } }) },
  { name: 'raffle(id)', needs: 'watch', field: 'raffle', query: `query($id: ID!) { raffle(id: $id) { id status streamer { id } } }`, variables: async () => ({ id: await runningRaffleId() }) },
  { name: 'drawRound', needs: 'steer', field: 'drawRound', query: () => contractOperation('DrawRound'), variables: async () => ({ raffleId: await runningRaffleId() }) },
  {
    name: 'markRoundsAnnouncedInDiscord',
    needs: 'service',
    field: 'markRoundsAnnouncedInDiscord',
    query: `mutation($ids: [ID!]!) { markRoundsAnnouncedInDiscord(roundIds: $ids) { id } }`,
    variables: async () => ({ ids: (await api.services.db.round.findMany({ select: { id: true } })).map((round) => String(round.id)) }),
  },
  { name: 'removeItem', needs: 'steer', field: 'removeItem', query: () => contractOperation('RemoveItem'), variables: async () => ({ id: secondItemId }) },
  { name: 'stopRaffle', needs: 'steer', field: 'stopRaffle', query: () => contractOperation('StopRaffle'), variables: async () => ({ raffleId: await latestRaffleId() }) },
  {
    name: 'overlaySettings (and rounds by outcome)',
    needs: 'watch',
    field: 'streamer',
    query: `query($id: ID!) { streamer(id: $id) { id overlaySettings { position scale font textColor accentColor backgroundColor language } overlayReelNames(size: 3) raffles(first: 1) { edges { node { rounds(outcome: WINNER) { edges { node { id } } } } } } } }`,
    variables: async () => ({ id: S.id }),
  },
  {
    name: 'updateOverlaySettings',
    needs: 'steer',
    field: 'updateOverlaySettings',
    query: `mutation($id: ID!, $settings: OverlaySettingsInput!) { updateOverlaySettings(streamerId: $id, settings: $settings) { __typename ... on Streamer { id overlaySettings { scale } } ... on Error { message } } }`,
    variables: async () => ({ id: S.id, settings: { scale: 1.5, position: 'TOP_RIGHT' } }),
  },
  {
    name: 'sendOverlayTestWin',
    needs: 'steer',
    field: 'sendOverlayTestWin',
    query: `mutation($id: ID!) { sendOverlayTestWin(streamerId: $id) { __typename ... on OverlayTestWinSent { at } ... on Error { message } } }`,
    variables: async () => ({ id: S.id }),
  },
  { name: 'rotateOverlayKey', needs: 'steer', field: 'rotateOverlayKey', query: () => contractOperation('RotateOverlayKey'), variables: async () => ({ streamerId: S.id }) },
  { name: 'startTwitchLink', needs: 'service', field: 'startTwitchLink', query: () => contractOperation('StartTwitchLink'), variables: async () => ({ guildId: S.guildId }) },
  {
    name: 'registerGuild',
    needs: 'service',
    field: 'registerGuild',
    query: `mutation($guildId: String!) { registerGuild(guildId: $guildId) { __typename ... on Streamer { id } } }`,
    variables: async () => ({ guildId: newGuildId() }),
  },
  // Last: the owner's unlink ends its ownership (and the service's call finds it unlinked).
  { name: 'unlinkTwitch', needs: 'manage', field: 'unlinkTwitch', query: () => contractOperation('UnlinkTwitch'), variables: async () => ({ streamerId: S.id }) },
];

beforeAll(async () => {
  twitch = await createFakeTwitch();
  api = await startTwitchApp(twitch, { chatterSource: chatters, principals: withTestPersons });
  S = await linkedStreamer(api, twitch, OWNER_S);
  T = await linkedStreamer(api, twitch, OWNER_T);
  await api.services.db.streamerEditor.create({ data: { streamerId: S.id, twitchUserId: EDITOR_S.id, login: EDITOR_S.login } });
  chatters.set(S.id, generateViewers(30));
  const items = await api.services.items.addItems(S.id, [
    { name: 'first prize', weight: 1, stock: 50 },
    { name: 'second prize', weight: 1, stock: 50 },
  ]);
  [firstItemId, secondItemId] = items.map((item) => item.id) as [string, string];
});

afterAll(async () => {
  await api?.stop();
  await twitch?.close();
});

describe('subscriptions of S over graphql-ws, per principal', () => {
  it('watchers get the win; others are refused (FORBIDDEN) or not let in (4403)', async () => {
    const raffle = await api.services.db.raffle.create({
      data: { streamerId: S.id, intervalSeconds: 3600, drawChance: 1, nextRoundAt: new Date(Date.now() + 3_600_000) },
    });
    for (const operation of ['WinnerDrawn', 'RaffleEvents'] as const) {
      const opened: Array<{ caller: Caller; subscription: Subscription<any> }> = [];
      const shutOut: Array<{ caller: Caller; reason: string }> = [];
      for (const caller of callers) {
        try {
          opened.push({ caller, subscription: await subscribe(api.url, contractOperation(operation), { streamerId: S.id }, await caller.connectionParams()) });
        } catch (error) {
          shutOut.push({ caller, reason: (error as Error).message });
        }
      }
      expect(shutOut.map(({ caller }) => caller.name).sort(), operation).toEqual(callers.filter((c) => c.refusal === 'UNAUTHENTICATED').map((c) => c.name).sort());
      for (const { reason } of shutOut) expect(reason).toMatch(/4403/);
      try {
        const drawn = await api.services.rounds.run(raffle.id, { force: true });
        if (drawn.kind !== 'round') throw new Error(`no round: ${drawn.kind}`);
        for (const { caller, subscription } of opened) {
          const label = `${caller.name} → ${operation}`;
          if (caller.may.includes('watch')) {
            let event = await subscription.next();
            // A round's commit is published first (COMMITTED, without a round): the round follows.
            while (operation === 'RaffleEvents' && event.raffleEvents.kind === 'COMMITTED') event = await subscription.next();
            const roundId = operation === 'WinnerDrawn' ? event.winnerDrawn.id : event.raffleEvents.round.id;
            expect(roundId, label).toBe(String(drawn.round.id));
          } else {
            await expect(subscription.next(5_000), label).rejects.toThrow(/FORBIDDEN/);
          }
        }
      } finally {
        for (const { subscription } of opened) await subscription.return();
      }
    }
    // The table below starts its own raffle.
    await api.services.raffles.stop(raffle.id);
  });
});

describe('overlayEvents of S over graphql-ws, per principal', () => {
  it('watchers get the test win; others are refused (FORBIDDEN) or not let in (4403)', async () => {
    const query = `subscription($streamerId: ID!) { overlayEvents(streamerId: $streamerId) { kind testWin { winnerDisplayName } settings { position } } }`;
    const opened: Array<{ caller: Caller; subscription: Subscription<any> }> = [];
    const shutOut: string[] = [];
    for (const caller of callers) {
      try {
        opened.push({ caller, subscription: await subscribe(api.url, query, { streamerId: S.id }, await caller.connectionParams()) });
      } catch (error) {
        expect((error as Error).message).toMatch(/4403/);
        shutOut.push(caller.name);
      }
    }
    expect(shutOut.sort()).toEqual(callers.filter((c) => c.refusal === 'UNAUTHENTICATED').map((c) => c.name).sort());
    try {
      // Subscribing is not acknowledged by graphql-ws: wait until the bus has every listener.
      await api.services.events.whenLive();
      await api.services.overlay.sendTestWin(S.id);
      for (const { caller, subscription } of opened) {
        const label = `${caller.name} → overlayEvents`;
        if (caller.may.includes('watch')) {
          const event = await subscription.next();
          expect(event.overlayEvents.kind, label).toBe('TEST_WIN');
          expect(event.overlayEvents.testWin.winnerDisplayName, label).toBeTruthy();
        } else {
          await expect(subscription.next(5_000), label).rejects.toThrow(/FORBIDDEN/);
        }
      }
    } finally {
      for (const { subscription } of opened) await subscription.return();
    }
  });
});

describe('role look-ups', () => {
  it('are lazy and happen at most once per (request, streamer)', async () => {
    const roleOf = vi.spyOn(api.services.access, 'roleOf');
    try {
      const editor = callers.find((caller) => caller.name === 'EDITOR of S')!;
      const service = callers.find((caller) => caller.name === 'service')!;
      const raffleId = await latestRaffleId();
      const query = `query($s: ID!, $t: ID!, $r: ID!) {
        a: streamer(id: $s) { id overlayUrl }
        b: streamer(id: $s) { id overlayUrl }
        c: roundsSince(streamerId: $s) { id }
        d: raffle(id: $r) { id streamer { overlayUrl } }
        e: streamer(id: $t) { id }
      }`;
      const variables = { s: S.id, t: T.id, r: raffleId };
      const response = await send(editor, query, variables);
      expect(response.data?.a).toMatchObject({ id: S.id });
      expect(response.errors?.map((error) => [error.extensions?.code, (error as { path?: unknown[] }).path])).toEqual([['FORBIDDEN', ['e']]]);
      expect(roleOf.mock.calls.map(([person, streamer]) => `${person}@${streamer}`).sort()).toEqual([`${EDITOR_S.id}@${S.id}`, `${EDITOR_S.id}@${T.id}`].sort());
      await send(editor, query, variables);
      expect(roleOf).toHaveBeenCalledTimes(4); // a new request reads again
      roleOf.mockClear();
      await send(service, query, variables);
      expect(roleOf).not.toHaveBeenCalled();
    } finally {
      roleOf.mockRestore();
    }
  });
});

describe('principals × operations on streamer S', () => {
  it('has the owner and editor roles it is meant to test', async () => {
    expect(await api.services.access.roleOf(OWNER_S.id, S.id)).toBe('OWNER');
    expect(await api.services.access.roleOf(EDITOR_S.id, S.id)).toBe('EDITOR');
    expect(await api.services.access.roleOf(OWNER_T.id, S.id)).toBeNull();
    expect(await api.services.access.roleOf(OWNER_T.id, T.id)).toBe('OWNER');
  });

  const csvCase = () => it('GET /raffles/<id>/rounds.csv: those who steer S get the CSV, anyone else 403 (an unknown raffle 404)', async () => {
    const raffleId = await latestRaffleId();
    for (const caller of callers) {
      const response = await fetch(`${api.url}/raffles/${raffleId}/rounds.csv`, { headers: await caller.headers() });
      const body = await response.text();
      if (caller.may.includes('steer')) {
        expect(response.status, `${caller.name}: ${body}`).toBe(200);
        expect(body.split('\r\n')[0]).toBe('number,at,outcome,eligibleCount,itemId,itemName,winnerUserId,winnerLogin,winnerDisplayName,roundId,verifyUrl');
      } else {
        expect(response.status, caller.name).toBe(403);
        expect(body, caller.name).toMatch(/\w/);
        expect(body, caller.name).not.toMatch(/^number,/);
      }
    }
    const service = callers.find((caller) => caller.name === 'service')!;
    const unknown = await fetch(`${api.url}/raffles/00000000-0000-4000-8000-000000000000/rounds.csv`, { headers: await service.headers() });
    expect(unknown.status).toBe(404);
  });

  for (const operation of operations) {
    // Before the owner unlinks S (and stops owning it).
    if (operation.name === 'unlinkTwitch') csvCase();
    it(`${operation.name} (needs ${operation.needs})`, async () => {
      // Refused callers first, so each refusal is checked against the same state; then the allowed
      // ones with the service last, so the first success (a raffle started, an item removed, S
      // unlinked) is a person's or an overlay's own.
      const rank = (caller: Caller) => (caller.may.includes(operation.needs) ? (caller.name === 'service' ? 2 : 1) : 0);
      const ordered = [...callers].sort((a, b) => rank(a) - rank(b));
      const query = typeof operation.query === 'function' ? operation.query() : operation.query;
      let firstAllowed = true;
      for (const caller of ordered) {
        const label = `${caller.name} → ${operation.name}`;
        const variables = await operation.variables(caller);
        if (caller.may.includes(operation.needs)) {
          const response = await send(caller, query, variables);
          expect(response.errors, label).toBeUndefined();
          const result = response.data?.[operation.field] as { __typename?: string } | undefined;
          expect(result, label).toBeTruthy();
          // Later callers may meet the state the first one made (RaffleAlreadyRunningError...), data all the same.
          if (firstAllowed) expect(result?.__typename ?? '', label).not.toMatch(/Error$/);
          firstAllowed = false;
        } else {
          const before = await snapshot();
          const response = await send(caller, query, variables);
          expect(response.errors?.[0]?.extensions?.code, label).toBe(caller.refusal);
          expect(response.data?.[operation.field] ?? null, label).toBeNull();
          expect(await snapshot(), `${label} changed the database`).toBe(before);
        }
      }
    });
  }

  it('the owner really unlinked S, and lost ownership with it', async () => {
    expect(await api.services.db.twitchCredential.count({ where: { streamerId: S.id } })).toBe(0);
    expect(await api.services.access.roleOf(OWNER_S.id, S.id)).toBeNull();
    expect(await api.services.db.twitchCredential.count({ where: { streamerId: T.id } })).toBe(1);
  });
});
