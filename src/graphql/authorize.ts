import type { Ability } from '../auth/policy';
import type { StreamerTarget } from '../auth/roles';
import { roundIdOrNull } from './id-args';

/**
 * One-line authorization declarations for fields (`authScopes: may.steer(raffleArg('raffleId'))`).
 * They only name the scope and its target; what each principal may is decided in src/auth.
 */

/** Only the service principal (the bot's own operations). */
export const onlyService = { service: true } as const;

type ScopeOn<A extends Ability> = { [K in A]: StreamerTarget };

function scopeOf<A extends Ability>(ability: A) {
  return <Args>(target: (args: Args) => StreamerTarget) =>
    (_parent: unknown, args: Args): ScopeOn<A> =>
      ({ [ability]: target(args) }) as ScopeOn<A>;
}

/** "May watch / steer / manage the streamer that `target` names in the field's arguments." */
export const may = {
  watch: scopeOf('watch'),
  steer: scopeOf('steer'),
  manage: scopeOf('manage'),
};

/** The streamer whose id is the argument `name`. */
export const streamerArg =
  <N extends string>(name: N) =>
  (args: Record<N, unknown>): StreamerTarget => ({ streamerId: String(args[name]) });

/** The streamer of the raffle whose id is the argument `name`. */
export const raffleArg =
  <N extends string>(name: N) =>
  (args: Record<N, unknown>): StreamerTarget => ({ raffleId: String(args[name]) });

/** The streamer of the item whose id is the argument `name`. */
export const itemArg =
  <N extends string>(name: N) =>
  (args: Record<N, unknown>): StreamerTarget => ({ itemId: String(args[name]) });

/** The streamer of the round whose id is the argument `name` (an id that cannot be a round names none). */
export const roundArg =
  <N extends string>(name: N) =>
  (args: Record<N, unknown>): StreamerTarget => ({ roundId: roundIdOrNull(String(args[name])) ?? -1 });
