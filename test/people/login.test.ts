import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { addItemsRequest } from './items.js';
import { asBrowser, logIn, VIEWER, type TwitchPerson } from './support.js';
import { contractOperation } from '../support/graphql.js';
import { linkedStreamer, onApp, useFakeTwitch } from '../twitch/support.js';

const OWNER: TwitchPerson = { id: '1001', login: 'kinoyu', displayName: 'KinoYu' };
const EDITOR: TwitchPerson = { id: '2002', login: 'helper_ana', displayName: 'HelperAna' };
const STRANGER: TwitchPerson = { id: '3003', login: 'stranger', displayName: 'Stranger' };

const ADD_EDITOR = /* GraphQL */ `
  mutation AddEditor($streamerId: ID!, $login: String!) {
    addEditor(streamerId: $streamerId, login: $login) {
      __typename
      ... on Streamer { id editors { twitchUserId login } }
      ... on ValidationError { message problems { path message } }
      ... on Error { message }
    }
  }
`;
const REMOVE_EDITOR = /* GraphQL */ `
  mutation RemoveEditor($streamerId: ID!, $twitchUserId: String!) {
    removeEditor(streamerId: $streamerId, twitchUserId: $twitchUserId) {
      __typename ... on Streamer { id editors { twitchUserId login } } ... on Error { message }
    }
  }
`;
const START = /* GraphQL */ `
  mutation Start($streamerId: ID!) {
    startRaffle(input: { streamerId: $streamerId, intervalSeconds: 3600 }) { __typename ... on Raffle { id status } ... on Error { message } }
  }
`;

function codes(response: { errors?: Array<{ extensions?: { code?: string } }> }) {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

describe('Log in with Twitch and the people model (issue 11)', () => {
  const fixture = useFakeTwitch();

  it('logs in through Twitch: state bound to the browser, session cookie, 302 /dashboard; viewer answers the person', async () => {
    const api = await fixture.app();
    const start = await fetch(new URL('/auth/login', api.url), { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/\/auth\/login\/callback$/);
    expect(authorize.searchParams.get('scope')).toBe('');
    expect(start.headers.getSetCookie().join('\n')).toMatch(/kinoyu_login=.*HttpOnly/);

    const { cookie, setCookie } = await logIn(api, fixture.twitch, STRANGER);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
    const { data, errors } = await asBrowser(api, cookie, VIEWER);
    expect(errors).toBeUndefined();
    expect(data.viewer).toEqual({ twitchUserId: STRANGER.id, login: STRANGER.login, displayName: STRANGER.displayName, streamers: [] });
    // The session row keeps only a hash of the id.
    const rows = await api.services.db.session.findMany();
    expect(rows).toHaveLength(1);
    expect(cookie).not.toContain(rows[0]!.idHash);
  });

  it('refuses a callback replayed or opened in another browser (state single use, bound by the login cookie)', async () => {
    const api = await fixture.app();
    fixture.twitch.addUser({ ...STRANGER });
    fixture.twitch.setConsent({ userId: STRANGER.id });
    const start = await fetch(new URL('/auth/login', api.url), { redirect: 'manual' });
    const loginCookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const callbackResponse = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = onApp(api, callbackResponse.headers.get('location')!);
    const otherBrowser = await fetch(callback, { redirect: 'manual' });
    expect(otherBrowser.status).toBe(400);
    expect(otherBrowser.headers.getSetCookie().join()).not.toContain('kinoyu_session=');
    const first = await fetch(callback, { headers: { cookie: loginCookie }, redirect: 'manual' });
    // The other browser's attempt did not burn the state: the right browser still logs in, once.
    expect(first.status).toBe(302);
    const replay = await fetch(callback, { headers: { cookie: loginCookie }, redirect: 'manual' });
    expect(replay.status).toBe(400);
  });

  it('owner sees their streamer as OWNER, adds an editor by login; the editor steers but does not manage', async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    fixture.twitch.addUser({ ...EDITOR });
    const owner = await logIn(api, fixture.twitch, OWNER);
    const viewer = await asBrowser(api, owner.cookie, VIEWER);
    expect(viewer.data.viewer.streamers).toEqual([
      { role: 'OWNER', streamer: { id: streamer.id, login: OWNER.login, displayName: OWNER.displayName, linked: true } },
    ]);

    const added = await asBrowser(api, owner.cookie, ADD_EDITOR, { streamerId: streamer.id, login: 'Helper_Ana' });
    expect(added.data.addEditor).toEqual({ __typename: 'Streamer', id: streamer.id, editors: [{ twitchUserId: EDITOR.id, login: EDITOR.login }] });

    const editor = await logIn(api, fixture.twitch, EDITOR);
    const editorView = await asBrowser(api, editor.cookie, VIEWER);
    expect(editorView.data.viewer.streamers.map((s: { role: string; streamer: { id: string } }) => [s.role, s.streamer.id])).toEqual([
      ['EDITOR', streamer.id],
    ]);
    expect((await addItemsRequest(api, editor.cookie, streamer.id)).data.addItems.__typename).toBe('AddItemsPayload');
    const started = await asBrowser(api, editor.cookie, START, { streamerId: streamer.id });
    expect(started.data.startRaffle).toMatchObject({ __typename: 'Raffle', status: 'RUNNING' });

    const editorAdds = await asBrowser(api, editor.cookie, ADD_EDITOR, { streamerId: streamer.id, login: 'stranger' });
    expect(codes(editorAdds)).toEqual(['FORBIDDEN']);
    const editorUnlinks = await asBrowser(api, editor.cookie, contractOperation('UnlinkTwitch'), { streamerId: streamer.id });
    expect(codes(editorUnlinks)).toEqual(['FORBIDDEN']);
    expect((await asBrowser(api, owner.cookie, VIEWER)).data.viewer.streamers[0].streamer.linked).toBe(true);

    const removed = await asBrowser(api, owner.cookie, REMOVE_EDITOR, { streamerId: streamer.id, twitchUserId: EDITOR.id });
    expect(removed.data.removeEditor.editors).toEqual([]);
    expect(codes(await asBrowser(api, editor.cookie, START, { streamerId: streamer.id }))).toEqual(['FORBIDDEN']);
  });

  it('a stranger sees no streamers and is FORBIDDEN on streamer operations', async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    const stranger = await logIn(api, fixture.twitch, STRANGER);
    expect((await asBrowser(api, stranger.cookie, VIEWER)).data.viewer.streamers).toEqual([]);
    expect(codes(await asBrowser(api, stranger.cookie, START, { streamerId: streamer.id }))).toEqual(['FORBIDDEN']);
    expect(codes(await asBrowser(api, stranger.cookie, ADD_EDITOR, { streamerId: streamer.id, login: 'stranger' }))).toEqual(['FORBIDDEN']);
    const editors = await asBrowser(api, stranger.cookie, `query($id: ID!) { streamer(id: $id) { id editors { login } } }`, { id: streamer.id });
    expect(codes(editors)).toEqual(['FORBIDDEN']);
  });

  it('an unknown login is a ValidationError on `login`', async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    const owner = await logIn(api, fixture.twitch, OWNER);
    const response = await asBrowser(api, owner.cookie, ADD_EDITOR, { streamerId: streamer.id, login: 'nobody_here' });
    expect(response.data.addEditor).toMatchObject({ __typename: 'ValidationError', problems: [{ path: ['login'] }] });
    expect(await api.services.db.streamerEditor.count()).toBe(0);
  });

  it('refuses expired, logged-out and tampered sessions', async () => {
    const api = await fixture.app();
    const unauthenticated = async (cookie: string) => codes(await asBrowser(api, cookie, VIEWER));

    const expired = await logIn(api, fixture.twitch, STRANGER);
    expect(await unauthenticated(expired.cookie)).toEqual([]);
    await api.services.db.session.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await unauthenticated(expired.cookie)).toEqual(['UNAUTHENTICATED']);

    const loggedOut = await logIn(api, fixture.twitch, STRANGER);
    expect(await unauthenticated(loggedOut.cookie)).toEqual([]);
    const logout = await fetch(new URL('/auth/logout', api.url), {
      method: 'POST',
      headers: { cookie: loggedOut.cookie, origin: new URL(api.url).origin },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().join()).toMatch(/kinoyu_session=;/);
    expect(await unauthenticated(loggedOut.cookie)).toEqual(['UNAUTHENTICATED']);

    const live = await logIn(api, fixture.twitch, STRANGER);
    expect(await unauthenticated(live.cookie)).toEqual([]);
    const value = decodeURIComponent(live.cookie.slice('kinoyu_session='.length));
    const [id, signature] = [value.slice(0, value.lastIndexOf('.')), value.slice(value.lastIndexOf('.') + 1)];
    const flipped = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A');
    expect(await unauthenticated(`kinoyu_session=${encodeURIComponent(`${flipped}.${signature}`)}`)).toEqual(['UNAUTHENTICATED']);
    expect(await unauthenticated(`kinoyu_session=${encodeURIComponent(id)}`)).toEqual(['UNAUTHENTICATED']);
  });

  it('a cookie-authenticated request from a foreign Origin is refused (CSRF); our Origin works', async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    const owner = await logIn(api, fixture.twitch, OWNER);
    const foreign = await asBrowser(api, owner.cookie, START, { streamerId: streamer.id }, { origin: 'https://evil.example' });
    expect(codes(foreign)).toEqual(['UNAUTHENTICATED']);
    expect(await api.services.db.raffle.count()).toBe(0);
    await addItemsRequest(api, owner.cookie, streamer.id);
    const ours = await asBrowser(api, owner.cookie, START, { streamerId: streamer.id });
    expect(ours.data.startRaffle.__typename).toBe('Raffle');
  });

  it("unlinking the owner's Twitch ends their sessions", async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    const first = await logIn(api, fixture.twitch, OWNER);
    const second = await logIn(api, fixture.twitch, OWNER);
    const stranger = await logIn(api, fixture.twitch, STRANGER);
    const unlinked = await asBrowser(api, first.cookie, contractOperation('UnlinkTwitch'), { streamerId: streamer.id });
    expect(unlinked.errors).toBeUndefined();
    expect(codes(await asBrowser(api, first.cookie, VIEWER))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await asBrowser(api, second.cookie, VIEWER))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await asBrowser(api, stranger.cookie, VIEWER))).toEqual([]);
  });

  it('graphql-ws with the session cookie on the upgrade subscribes as that person', async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    const owner = await logIn(api, fixture.twitch, OWNER);
    const stranger = await logIn(api, fixture.twitch, STRANGER);
    const origin = new URL(api.url).origin;
    const open = (cookie: string) =>
      createClient({
        url: `${api.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: class extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, { headers: { cookie, origin } });
          }
        },
        retryAttempts: 0,
        lazy: true,
      });
    const subscription = `subscription($streamerId: ID!) { raffleEvents(streamerId: $streamerId) { kind raffle { id } } }`;

    const strangerClient = open(stranger.cookie);
    const refused = strangerClient.iterate({ query: subscription, variables: { streamerId: streamer.id } });
    const refusedResult = await refused.next().catch((error: unknown) => ({ error }));
    expect(JSON.stringify(refusedResult)).toMatch(/FORBIDDEN|Not allowed/);
    await strangerClient.dispose();

    const client = open(owner.cookie);
    const events = client.iterate<{ raffleEvents: { kind: string; raffle: { id: string } } }>({ query: subscription, variables: { streamerId: streamer.id } });
    const firstEvent = events.next();
    await new Promise<void>((resolve) => client.on('connected', () => setTimeout(resolve, 200)));
    await addItemsRequest(api, owner.cookie, streamer.id);
    const started = await asBrowser(api, owner.cookie, START, { streamerId: streamer.id });
    const event = await firstEvent;
    expect(event.value?.errors).toBeUndefined();
    expect(event.value?.data?.raffleEvents).toEqual({ kind: 'STARTED', raffle: { id: started.data.startRaffle.id } });
    await events.return?.();
    await client.dispose();
  });
});

describe('the session cookie under an https PUBLIC_URL', () => {
  const fixture = useFakeTwitch();

  it('is Secure', async () => {
    const api = await fixture.app({ env: { PUBLIC_URL: 'https://raffles.example' } });
    const { setCookie } = await logIn(api, fixture.twitch, STRANGER);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/HttpOnly/);
  });
});
