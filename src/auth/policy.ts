import type { Principal } from './principal';
import type { StreamerRole } from './roles';

/**
 * What a principal may do to one streamer:
 * - `watch`: read it and follow its raffles live (the overlay's catch-up reads included);
 * - `steer`: run it: items, raffles, draws, announce channel, overlay key, live chatters;
 * - `manage`: owner-only things: its editors, unlinking its Twitch account.
 */
export type Ability = 'watch' | 'steer' | 'manage';

/**
 * The rules, in one place. `role` is the person's role on `streamerId` (ignored for other
 * principals): the service may everything; an overlay only watches its own streamer; an OWNER
 * steers and manages, an EDITOR watches and steers but does not manage; nobody else anything.
 */
export function allows(principal: Principal, ability: Ability, streamerId: string, role: StreamerRole | null): boolean {
  switch (principal.kind) {
    case 'service':
      return true;
    case 'overlay':
      return ability === 'watch' && principal.streamerId === streamerId;
    case 'person':
      return role === 'OWNER' || (role === 'EDITOR' && ability !== 'manage');
    case 'anonymous':
      return false;
  }
}

/**
 * The decision when it does not depend on which streamer is meant (so nothing needs to be looked
 * up); undefined when it does. Agrees with `allows` for every streamer and role.
 */
export function decidedWithoutStreamer(principal: Principal, ability: Ability): boolean | undefined {
  switch (principal.kind) {
    case 'service':
      return true;
    case 'anonymous':
      return false;
    case 'overlay':
      return ability === 'watch' ? undefined : false;
    case 'person':
      return undefined;
  }
}
