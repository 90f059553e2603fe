import { print, type DocumentNode } from 'graphql';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Announcements, type AnnouncedRound, type Publish } from '../../clients/discord-bot/announcer/announcer';
import { StreamerFeed } from '../../clients/discord-bot/announcer/feed';
import { ApiUnavailableError, type ApiClient } from '../../clients/discord-bot/graphql/api-client';
import { eventually } from './support/harness';

/**
 * The announcer's catch-up rules against a scripted API (no server, no socket: the graphql-ws
 * connection points at a closed port and keeps retrying quietly). The end-to-end suites cover
 * live events, restarts and reconnects with the real server.
 */

interface FakeRound {
  id: string;
  announced: boolean;
  channel: string | null;
}

function fakeApi(rounds: FakeRound[], faults: { markFails?: number; listFails?: number } = {}) {
  const calls: string[] = [];
  const api: ApiClient = {
    async request(document: DocumentNode, variables?: Record<string, unknown>) {
      const operation = /(?:query|mutation) (\w+)/.exec(print(document))![1]!;
      calls.push(operation);
      if (operation === 'WinsSince') {
        if (faults.listFails && faults.listFails-- > 0) throw new ApiUnavailableError('down');
        const after = variables!.afterRoundId === null ? 0 : Number(variables!.afterRoundId);
        const page = rounds.filter((round) => Number(round.id) > after).slice(0, Number(variables!.first));
        return { roundsSince: page.map(toRound) };
      }
      if (operation === 'MarkRoundsAnnounced') {
        if (faults.markFails && faults.markFails-- > 0) throw new ApiUnavailableError('down');
        const ids = variables!.roundIds as string[];
        for (const round of rounds) if (ids.includes(round.id)) round.announced = true;
        return { markRoundsAnnouncedInDiscord: ids.map((id) => ({ id, discordAnnouncedAt: new Date().toISOString() })) };
      }
      if (operation === 'StreamerByGuild') return { streamerByGuild: { id: 's1', guildId: '111111' } };
      throw new Error(`unexpected ${operation}`);
    },
    withTimeout() {
      return api;
    },
  } as ApiClient;
  return { api, calls };
}

function toRound(round: FakeRound): AnnouncedRound {
  return {
    id: round.id,
    number: Number(round.id),
    at: new Date().toISOString(),
    outcome: 'WINNER',
    eligibleCount: 3,
    odds: 0.5,
    item: { id: 'i', name: 'prize', weight: 1 },
    winner: { userId: 'u', login: 'viewer', displayName: 'Viewer' },
    discordAnnouncedAt: round.announced ? new Date().toISOString() : null,
    verifyUrl: `https://raffles.example/verify/${round.id}`,
    claim: null,
    raffle: { id: 'r', streamer: { id: 's1', guildId: '111111', announceChannelId: round.channel } },
  };
}

const running: Announcements[] = [];

function start(api: ApiClient, publish: Publish, pageSize = 2): Announcements {
  const announcer = new Announcements({
    api,
    wsUrl: 'ws://127.0.0.1:9/graphql',
    token: 't'.repeat(32),
    logger: pino({ level: 'silent' }),
    publish,
    sweepIntervalMs: 50,
    reconnect: { minDelayMs: 1_000, maxDelayMs: 5_000 },
    pageSize,
  });
  running.push(announcer);
  announcer.start();
  return announcer;
}

afterEach(async () => {
  for (const announcer of running.splice(0)) await announcer.stop();
});

describe('announcer catch-up', () => {
  it('posts the unannounced wins in order, across pages, skips announced ones and records them', async () => {
    const rounds = ['1', '2', '3', '4', '5'].map((id) => ({ id, announced: id === '2', channel: 'c1' }));
    const { api } = fakeApi(rounds);
    const posted: string[] = [];
    const announcer = start(api, async (round) => {
      posted.push(round.id);
      return 'posted';
    });
    announcer.track({ id: 's1', guildId: '111111' });
    await eventually(() => rounds.every((round) => round.announced), 5_000, 'all wins recorded');
    await new Promise((resolve) => setTimeout(resolve, 200)); // a few sweeps more
    expect(posted).toEqual(['1', '3', '4', '5']);
  });

  it('retries a win whose post failed for a passing reason, and posts it once', async () => {
    const rounds = [{ id: '1', announced: false, channel: 'c1' }, { id: '2', announced: false, channel: 'c1' }];
    const { api } = fakeApi(rounds);
    const posted: string[] = [];
    let failures = 2;
    const announcer = start(api, async (round) => {
      if (round.id === '2' && failures-- > 0) throw new Error('discord 500');
      posted.push(round.id);
      return 'posted';
    });
    announcer.track({ id: 's1', guildId: '111111' });
    await eventually(() => rounds.every((round) => round.announced), 5_000, 'all wins recorded');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(posted).toEqual(['1', '2']);
  });

  it('records wins it cannot post (no channel, or dropped) so they are not retried forever', async () => {
    const rounds = [{ id: '1', announced: false, channel: null }, { id: '2', announced: false, channel: 'gone' }];
    const { api } = fakeApi(rounds);
    const seen: string[] = [];
    start(api, async (round) => {
      seen.push(round.id);
      return 'dropped';
    }).track({ id: 's1', guildId: '111111' });
    await eventually(() => rounds.every((round) => round.announced), 5_000, 'all wins recorded');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual(['2']);
  });

  it('keeps recording when the API refuses for a while, without posting twice', async () => {
    const rounds = [{ id: '1', announced: false, channel: 'c1' }];
    const { api, calls } = fakeApi(rounds, { markFails: 3, listFails: 2 });
    const posted: string[] = [];
    start(api, async (round) => {
      posted.push(round.id);
      return 'posted';
    }).track({ id: 's1', guildId: '111111' });
    await eventually(() => rounds[0]!.announced, 5_000, 'the win recorded');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(posted).toEqual(['1']);
    expect(calls.filter((call) => call === 'MarkRoundsAnnounced').length).toBeGreaterThanOrEqual(4);
  });

  it('follows a guild found later when the API was down at first', async () => {
    const rounds = [{ id: '1', announced: false, channel: 'c1' }];
    const { api } = fakeApi(rounds);
    let down = true;
    const flaky: ApiClient = {
      request: ((document: DocumentNode, variables?: Record<string, unknown>) =>
        down ? Promise.reject(new ApiUnavailableError('down')) : api.request(document as never, variables as never)) as ApiClient['request'],
      withTimeout: () => flaky,
    };
    const posted: string[] = [];
    const announcer = start(flaky, async (round) => {
      posted.push(round.id);
      return 'posted';
    });
    await announcer.syncGuild('111111');
    expect(announcer.followed()).toEqual([]);
    down = false;
    await eventually(() => posted.length === 1, 5_000, 'the win after the API came back');
    expect(announcer.followed()).toEqual([{ id: 's1', guildId: '111111' }]);
  });

  it("follows one streamer per guild: a new streamer for a guild (it joined a Twitch-only streamer) replaces the old one", async () => {
    const { api } = fakeApi([]);
    const announcer = start(api, async () => 'posted');
    announcer.track({ id: 's-old', guildId: '111111' });
    announcer.track({ id: 's-other', guildId: '222222' });
    announcer.track({ id: 's-new', guildId: '111111' });
    expect(announcer.followed().sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 's-new', guildId: '111111' },
      { id: 's-other', guildId: '222222' },
    ]);
  });
});

describe('announcer live wins', () => {
  function feedOver(api: ApiClient, posted: string[]): StreamerFeed {
    return new StreamerFeed({ id: 's1', guildId: '111111' }, {
      api,
      logger: pino({ level: 'silent' }),
      publish: async (round) => {
        posted.push(round.id);
        return 'posted';
      },
      pageSize: 2,
    });
  }

  it('posts a win missed live before the live one that followed it', async () => {
    const rounds: FakeRound[] = [{ id: '1', announced: false, channel: 'c1' }];
    const { api } = fakeApi(rounds);
    const posted: string[] = [];
    const feed = feedOver(api, posted);
    feed.catchUp();
    await feed.idle();
    // Win 2 is committed while the subscription is away; win 3 arrives live.
    rounds.push({ id: '2', announced: false, channel: 'c1' }, { id: '3', announced: false, channel: 'c1' });
    feed.live(toRound(rounds[2]!));
    await feed.idle();
    expect(posted).toEqual(['1', '2', '3']);
    expect(rounds.every((round) => round.announced)).toBe(true);
    feed.live(toRound({ id: '2', announced: false, channel: 'c1' }));
    feed.catchUp();
    await feed.idle();
    expect(posted).toEqual(['1', '2', '3']);
  });

  it('posts a live win as it came when the wins before it cannot be read', async () => {
    const rounds: FakeRound[] = [{ id: '1', announced: false, channel: 'c1' }];
    const { api } = fakeApi(rounds, { listFails: 1 });
    const posted: string[] = [];
    const feed = feedOver(api, posted);
    feed.live(toRound(rounds[0]!));
    await feed.idle();
    expect(posted).toEqual(['1']);
    expect(rounds[0]!.announced).toBe(true);
    feed.catchUp();
    await feed.idle();
    expect(posted).toEqual(['1']);
  });
});
