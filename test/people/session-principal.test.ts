import fastifyCookie from '@fastify/cookie';
import { describe, expect, it } from 'vitest';
import { anonymousPrincipal, overlayPrincipal, personPrincipal, servicePrincipal } from '../../src/auth/principal';
import { createPrincipalResolver } from '../../src/auth/principal-resolver';
import { SESSION_COOKIE, signedCookieReader } from '../../src/sessions/session-cookie';

const API_TOKEN = 'unit-test-api-token-0123456789-abcdefghij';
const SECRET = 'unit-test-session-secret-0123456789-abcdef';
const OURS = 'https://raffles.example';
const read = signedCookieReader(SECRET);
const resolver = createPrincipalResolver({
  apiToken: API_TOKEN,
  findStreamerIdByOverlayKey: async (key) => (key === 'good-key' ? 'streamer-1' : null),
  findPersonBySessionCookie: async (header) => (read(header, SESSION_COOKIE) === 'live-session' ? '1001' : null),
  allowsOrigin: (origin) => origin === undefined || origin === OURS,
});
const signed = (value: string, secret = SECRET) => `${SESSION_COOKIE}=${encodeURIComponent(fastifyCookie.sign(value, secret))}`;

describe('the person principal from the session cookie', () => {
  const cases: Array<[string, Record<string, string>, ReturnType<typeof anonymousPrincipal>]> = [
    ['a signed live session from our origin', { cookie: signed('live-session'), origin: OURS }, personPrincipal('1001')],
    ['a signed live session without Origin (not a page fetch)', { cookie: `other=1; ${signed('live-session')}` }, personPrincipal('1001')],
    ['the same from a foreign origin (CSRF)', { cookie: signed('live-session'), origin: 'https://evil.example' }, anonymousPrincipal(true)],
    ['signed with another secret', { cookie: signed('live-session', 'x'.repeat(40)), origin: OURS }, anonymousPrincipal(false)],
    ['unsigned', { cookie: `${SESSION_COOKIE}=live-session`, origin: OURS }, anonymousPrincipal(false)],
    ['an unknown session', { cookie: signed('gone'), origin: OURS }, anonymousPrincipal(false)],
    ['a Bearer token decides alone (cookie and foreign origin ignored)', { authorization: `Bearer ${API_TOKEN}`, cookie: signed('live-session'), origin: 'https://evil.example' }, servicePrincipal],
    ['an overlay key before the cookie', { 'x-overlay-key': 'good-key', cookie: signed('live-session') }, overlayPrincipal('streamer-1')],
  ];
  for (const [name, headers, expected] of cases) {
    it(`headers: ${name}`, async () => {
      expect(await resolver.fromHeaders(headers)).toEqual(expected);
    });
  }

  it('graphql-ws: the upgrade request\'s cookie when connectionParams carry no credential', async () => {
    expect(await resolver.fromConnectionParams({}, { cookie: signed('live-session'), origin: OURS })).toEqual(personPrincipal('1001'));
    expect(await resolver.fromConnectionParams(null, { cookie: signed('gone') })).toEqual(anonymousPrincipal(false));
    expect(await resolver.fromConnectionParams({ authorization: 'Bearer nope' }, { cookie: signed('live-session') })).toEqual(anonymousPrincipal(true));
    expect(await resolver.fromConnectionParams({}, undefined)).toEqual(anonymousPrincipal(false));
  });
});
