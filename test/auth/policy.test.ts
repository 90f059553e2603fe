import { describe, expect, it } from 'vitest';
import { allows, decidedWithoutStreamer, type Ability } from '../../src/auth/policy';
import { anonymousPrincipal, overlayPrincipal, personPrincipal, servicePrincipal, type Principal } from '../../src/auth/principal';
import { RequestAccess } from '../../src/auth/request-access';
import type { AccessDirectory, StreamerRole, StreamerTarget } from '../../src/auth/roles';

const S = 'streamer-s';
const T = 'streamer-t';
const abilities: Ability[] = ['watch', 'steer', 'manage'];

/** The rules written out by hand (not computed): who may what on streamer S. */
const expected: Array<{ name: string; principal: Principal; role: StreamerRole | null; may: Ability[] }> = [
  { name: 'service', principal: servicePrincipal, role: null, may: ['watch', 'steer', 'manage'] },
  { name: 'overlay of S', principal: overlayPrincipal(S), role: null, may: ['watch'] },
  { name: 'overlay of T', principal: overlayPrincipal(T), role: null, may: [] },
  { name: 'OWNER of S', principal: personPrincipal('owner'), role: 'OWNER', may: ['watch', 'steer', 'manage'] },
  { name: 'EDITOR of S', principal: personPrincipal('editor'), role: 'EDITOR', may: ['watch', 'steer'] },
  { name: 'a person without a role on S', principal: personPrincipal('stranger'), role: null, may: [] },
  { name: 'anonymous', principal: anonymousPrincipal(false), role: null, may: [] },
  { name: 'a rejected credential', principal: anonymousPrincipal(true), role: null, may: [] },
];

describe('the authorization rules', () => {
  for (const row of expected) {
    it(`${row.name} may ${row.may.join(', ') || 'nothing'} on S`, () => {
      for (const ability of abilities) {
        expect(allows(row.principal, ability, S, row.role), ability).toBe(row.may.includes(ability));
      }
    });
  }

  it('a decision taken without the streamer agrees with the full rule for every streamer and role', () => {
    const roles: Array<StreamerRole | null> = ['OWNER', 'EDITOR', null];
    for (const { principal } of expected) {
      for (const ability of abilities) {
        const early = decidedWithoutStreamer(principal, ability);
        if (early === undefined) continue;
        for (const streamerId of [S, T]) {
          for (const role of roles) expect(allows(principal, ability, streamerId, role)).toBe(early);
        }
      }
    }
  });
});

/** A directory that counts its look-ups: S is owned by `owner`, `editor` edits S, raffle r1 is S's. */
function countingDirectory() {
  const calls = { roleOf: [] as string[], streamerIdOf: [] as string[] };
  const directory: AccessDirectory = {
    async roleOf(twitchUserId, streamerId) {
      calls.roleOf.push(`${twitchUserId}@${streamerId}`);
      if (streamerId !== S) return null;
      return twitchUserId === 'owner' ? 'OWNER' : twitchUserId === 'editor' ? 'EDITOR' : null;
    },
    async streamerIdOf(target: StreamerTarget) {
      calls.streamerIdOf.push(JSON.stringify(target));
      if ('streamerId' in target) return target.streamerId;
      if ('raffleId' in target) return target.raffleId === 'r1' ? S : null;
      if ('roundId' in target) return target.roundId === 1 ? S : null;
      return target.itemId === 'i1' ? S : null;
    },
  };
  return { calls, directory };
}

describe('RequestAccess (one per request)', () => {
  it('reads a person’s role at most once per streamer, however many checks and targets', async () => {
    const { calls, directory } = countingDirectory();
    const access = new RequestAccess(personPrincipal('editor'), directory);
    const decisions = await Promise.all([
      access.may('watch', { streamerId: S }),
      access.may('steer', { streamerId: S }),
      access.may('manage', { streamerId: S }),
      access.may('steer', { raffleId: 'r1' }),
      access.may('steer', { raffleId: 'r1' }),
      access.may('steer', { itemId: 'i1' }),
      access.may('steer', { streamerId: T }),
    ]);
    expect(decisions).toEqual([true, true, false, true, true, true, false]);
    expect(calls.roleOf.sort()).toEqual([`editor@${S}`, `editor@${T}`]);
    expect(calls.streamerIdOf.sort()).toEqual([JSON.stringify({ itemId: 'i1' }), JSON.stringify({ raffleId: 'r1' })]);
  });

  it('another request reads again (roles can change between requests)', async () => {
    const { calls, directory } = countingDirectory();
    await new RequestAccess(personPrincipal('owner'), directory).may('manage', { streamerId: S });
    await new RequestAccess(personPrincipal('owner'), directory).may('manage', { streamerId: S });
    expect(calls.roleOf).toEqual([`owner@${S}`, `owner@${S}`]);
  });

  it('looks nothing up when the principal decides alone, and refuses targets that do not exist', async () => {
    const { calls, directory } = countingDirectory();
    expect(await new RequestAccess(servicePrincipal, directory).may('manage', { raffleId: 'r1' })).toBe(true);
    expect(await new RequestAccess(anonymousPrincipal(false), directory).may('watch', { raffleId: 'r1' })).toBe(false);
    expect(await new RequestAccess(overlayPrincipal(S), directory).may('steer', { raffleId: 'r1' })).toBe(false);
    expect(await new RequestAccess(overlayPrincipal(S), directory).may('watch', { streamerId: S })).toBe(true);
    expect(calls).toEqual({ roleOf: [], streamerIdOf: [] });
    expect(await new RequestAccess(overlayPrincipal(S), directory).may('watch', { raffleId: 'r1' })).toBe(true);
    expect(await new RequestAccess(overlayPrincipal(T), directory).may('watch', { raffleId: 'r1' })).toBe(false);
    expect(await new RequestAccess(personPrincipal('owner'), directory).may('steer', { raffleId: 'missing' })).toBe(false);
    expect(calls.roleOf).toEqual([]);
  });

  it('does not keep a failed look-up: the next check asks again', async () => {
    let failures = 1;
    const directory: AccessDirectory = {
      roleOf: async () => {
        if (failures-- > 0) throw new Error('database away');
        return 'OWNER';
      },
      streamerIdOf: async () => S,
    };
    const access = new RequestAccess(personPrincipal('owner'), directory);
    await expect(access.may('steer', { streamerId: S })).rejects.toThrow('database away');
    expect(await access.may('steer', { streamerId: S })).toBe(true);
  });
});
