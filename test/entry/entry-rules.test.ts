import { describe, expect, it } from 'vitest';
import { parseEntryOptions } from '../../src/entry/entry-options';
import { keywordMatcher } from '../../src/entry/keyword-matcher';
import { rolesFromBadges, ticketsFor } from '../../src/entry/tickets';

const ALL_SCOPES = ['user:read:chat', 'channel:read:subscriptions', 'channel:read:vips', 'moderation:read'];

describe('keyword matching: whole word, case-insensitive, Unicode-aware', () => {
  it.each([
    ['sorteio', 'quero o SORTEIO!', true],
    ['sorteio', 'Sorteio', true],
    ['sorteio', 'sorteios', false],
    ['sorteio', 'presorteio', false],
    ['sorteio', 'sorteio_2', false],
    ['sorteio', '(sorteio)', true],
    ['!entrar', 'eu quero !ENTRAR agora', true],
    ['!entrar', 'entrar', false],
    ['ação', 'AÇÃO!', true],
    ['ação', 'açãos', false],
    ['ação', 'reação', false],
    ['café', 'cafe\u0301 por favor', true], // decomposed é (NFD) matches the composed keyword
    ['ЖУК', 'жук', true],
    ['go', 'let’s go!', true],
    ['go', 'gogo', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
  ])('%s in %j → %s', (keyword, text, expected) => {
    expect(keywordMatcher(keyword)(text)).toBe(expected);
  });
});

describe('tickets: the highest applicable role counts', () => {
  const luck = { luckSubscriber: 3, luckVip: 5, luckModerator: 2 };
  it('reads subscriber/founder, vip, moderator/broadcaster badges', () => {
    expect(rolesFromBadges([{ set_id: 'founder' }])).toEqual({ subscriber: true, vip: false, moderator: false });
    expect(rolesFromBadges([{ set_id: 'broadcaster' }, { set_id: 'bits' }])).toEqual({ subscriber: false, vip: false, moderator: true });
    expect(rolesFromBadges(null)).toEqual({ subscriber: false, vip: false, moderator: false });
  });
  it('gives 1 ticket without a role and the best role otherwise', () => {
    expect(ticketsFor({ subscriber: false, vip: false, moderator: false }, luck)).toBe(1);
    expect(ticketsFor({ subscriber: true, vip: false, moderator: true }, luck)).toBe(3);
    expect(ticketsFor({ subscriber: true, vip: true, moderator: true }, luck)).toBe(5);
  });
});

describe('entry options validation', () => {
  const parse = (input: Parameters<typeof parseEntryOptions>[0], scopes: string[] | null = ALL_SCOPES) =>
    parseEntryOptions(input, { scopes });
  const paths = (result: ReturnType<typeof parse>) => result.problems.map((problem) => problem.path.join('.'));

  it('defaults: presence, no luck, no claim window, own chat', () => {
    expect(parse({})).toEqual({
      options: { entryMode: 'PRESENCE', entryKeyword: null, luckSubscriber: 1, luckVip: 1, luckModerator: 1, claimSeconds: 0, sharedChat: 'OWN_CHAT' },
      problems: [],
    });
  });

  it('keeps a trimmed keyword of up to 25 characters', () => {
    expect(parse({ entry: { mode: 'KEYWORD', keyword: '  Sorteio ' } }).options.entryKeyword).toBe('Sorteio');
    expect(parse({ entry: { mode: 'KEYWORD', keyword: 'ç'.repeat(25) } }).problems).toEqual([]);
  });

  it.each([
    [{ entry: { mode: 'KEYWORD' as const, keyword: '' } }, 'input.entry.keyword'],
    [{ entry: { mode: 'KEYWORD' as const, keyword: '   ' } }, 'input.entry.keyword'],
    [{ entry: { mode: 'KEYWORD' as const } }, 'input.entry.keyword'],
    [{ entry: { mode: 'KEYWORD' as const, keyword: 'x'.repeat(100) } }, 'input.entry.keyword'],
    [{ entry: { mode: 'KEYWORD' as const, keyword: 'x'.repeat(26) } }, 'input.entry.keyword'],
    [{ entry: { mode: 'KEYWORD' as const, keyword: 'two words' } }, 'input.entry.keyword'],
    [{ luck: { subscriber: 0 } }, 'input.luck.subscriber'],
    [{ luck: { vip: 11 } }, 'input.luck.vip'],
    [{ luck: { moderator: 2.5 } }, 'input.luck.moderator'],
    [{ claimSeconds: 601 }, 'input.claimSeconds'],
    [{ claimSeconds: -1 }, 'input.claimSeconds'],
  ])('%j → a problem at %s', (input, path) => {
    expect(paths(parse(input))).toEqual([path]);
  });

  it('a KEYWORD raffle needs user:read:chat (links made before it was asked for lack it)', () => {
    const result = parse({ entry: { mode: 'KEYWORD', keyword: 'go' } }, ['moderator:read:chatters', 'user:write:chat']);
    expect(paths(result)).toEqual(['input.entry.mode']);
    expect(result.problems[0]!.message).toMatch(/reconnect Twitch once/);
    expect(paths(parse({ entry: { mode: 'KEYWORD', keyword: 'go' } }, null))).toEqual(['input.entry.mode']);
  });

  it('presence luck needs the scope of each lucky role; keyword luck reads badges instead', () => {
    const scopes = ['moderator:read:chatters', 'user:write:chat', 'user:read:chat'];
    expect(paths(parse({ luck: { subscriber: 3, vip: 2, moderator: 1 } }, scopes))).toEqual(['input.luck.subscriber', 'input.luck.vip']);
    expect(parse({ entry: { mode: 'KEYWORD', keyword: 'go' }, luck: { subscriber: 3 } }, scopes).problems).toEqual([]);
  });

  it('lists every problem at once', () => {
    expect(paths(parse({ entry: { mode: 'KEYWORD', keyword: '' }, luck: { subscriber: 0, vip: 11 }, claimSeconds: 900 }))).toEqual([
      'input.entry.keyword',
      'input.luck.subscriber',
      'input.luck.vip',
      'input.claimSeconds',
    ]);
  });
});
