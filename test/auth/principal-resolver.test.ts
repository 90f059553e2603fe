import { describe, expect, it } from 'vitest';
import { anonymousPrincipal, overlayPrincipal, servicePrincipal } from '../../src/auth/principal';
import { bearerToken, createPrincipalResolver } from '../../src/auth/principal-resolver';

const API_TOKEN = 'unit-test-api-token-0123456789-abcdefghij';
const lookups: string[] = [];
const resolver = createPrincipalResolver({
  apiToken: API_TOKEN,
  findStreamerIdByOverlayKey: async (key) => {
    lookups.push(key);
    return key === 'good-key' ? 'streamer-1' : null;
  },
});

describe('principal resolution from headers and connectionParams', () => {
  const headerCases: Array<[string, Record<string, string>, ReturnType<typeof anonymousPrincipal>]> = [
    ['Bearer <API_TOKEN>', { authorization: `Bearer ${API_TOKEN}` }, servicePrincipal],
    ['the scheme in another case', { authorization: `bearer ${API_TOKEN}` }, servicePrincipal],
    ['surrounding blanks', { authorization: `  Bearer   ${API_TOKEN}  ` }, servicePrincipal],
    ['the raw token without Bearer', { authorization: API_TOKEN }, anonymousPrincipal(true)],
    ['another scheme', { authorization: `Basic ${API_TOKEN}` }, anonymousPrincipal(true)],
    ['a wrong token', { authorization: `Bearer ${API_TOKEN}x` }, anonymousPrincipal(true)],
    ['a token with a blank inside', { authorization: `Bearer ${API_TOKEN} extra` }, anonymousPrincipal(true)],
    ['a known overlay key', { 'x-overlay-key': 'good-key' }, overlayPrincipal('streamer-1')],
    ['an unknown overlay key', { 'x-overlay-key': 'bad-key' }, anonymousPrincipal(true)],
    ['a bad token with a good overlay key (the token decides)', { authorization: 'Bearer nope', 'x-overlay-key': 'good-key' }, anonymousPrincipal(true)],
    ['nothing', {}, anonymousPrincipal(false)],
  ];

  for (const [name, headers, expected] of headerCases) {
    it(`headers: ${name}`, async () => {
      expect(await resolver.fromHeaders(new Headers(headers))).toEqual(expected);
      // Node's header record (IncomingMessage.headers) reads the same.
      expect(await resolver.fromHeaders(headers)).toEqual(expected);
    });
  }

  it('connectionParams: authorization (either case of the key) or overlayKey, same rules', async () => {
    expect(await resolver.fromConnectionParams({ authorization: `Bearer ${API_TOKEN}` })).toEqual(servicePrincipal);
    expect(await resolver.fromConnectionParams({ Authorization: `Bearer ${API_TOKEN}` })).toEqual(servicePrincipal);
    expect(await resolver.fromConnectionParams({ authorization: API_TOKEN })).toEqual(anonymousPrincipal(true));
    expect(await resolver.fromConnectionParams({ overlayKey: 'good-key' })).toEqual(overlayPrincipal('streamer-1'));
    expect(await resolver.fromConnectionParams({ overlayKey: 'bad-key' })).toEqual(anonymousPrincipal(true));
    expect(await resolver.fromConnectionParams({ authorization: 42, overlayKey: ['good-key'] })).toEqual(anonymousPrincipal(false));
    expect(await resolver.fromConnectionParams(undefined)).toEqual(anonymousPrincipal(false));
    expect(await resolver.fromConnectionParams(null)).toEqual(anonymousPrincipal(false));
  });

  it('looks an overlay key up only when no Authorization was sent', async () => {
    lookups.length = 0;
    await resolver.fromHeaders({ authorization: `Bearer ${API_TOKEN}`, 'x-overlay-key': 'good-key' });
    expect(lookups).toEqual([]);
    await resolver.fromHeaders({ 'x-overlay-key': 'good-key' });
    expect(lookups).toEqual(['good-key']);
  });

  it('bearerToken parses only the Bearer scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('BEARER abc')).toBe('abc');
    expect(bearerToken('abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Token abc')).toBeUndefined();
  });
});
