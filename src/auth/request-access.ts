import { allows, decidedWithoutStreamer, type Ability } from './policy';
import type { Principal } from './principal';
import type { AccessDirectory, StreamerRole, StreamerTarget } from './roles';

/**
 * The authorization state of one request (one GraphQL operation, or one subscription): the
 * principal and what was looked up for it. Lazy: nothing is read until a field asks. A role is
 * read at most once per streamer, a raffle's or item's streamer at most once per id.
 */
export class RequestAccess {
  // Made on first use: a subscription keeps its context (and this) for its whole life, and most
  // principals (service, overlay) never look anything up.
  private roles: Map<string, Promise<StreamerRole | null>> | undefined;
  private streamers: Map<string, Promise<string | null>> | undefined;

  constructor(
    readonly principal: Principal,
    private readonly directory: AccessDirectory,
  ) {}

  /** Whether the principal may `ability` the target's streamer. A target that does not exist: no. */
  may(ability: Ability, target: StreamerTarget): boolean | Promise<boolean> {
    const decided = decidedWithoutStreamer(this.principal, ability);
    if (decided !== undefined) return decided;
    if ('streamerId' in target) return this.decide(ability, target.streamerId);
    return this.streamerOf(target).then((streamerId) => (streamerId === null ? false : this.decide(ability, streamerId)));
  }

  /** The person's role on a streamer (null for other principals). */
  roleOn(streamerId: string): Promise<StreamerRole | null> {
    const { principal } = this;
    if (principal.kind !== 'person') return Promise.resolve(null);
    const roles = (this.roles ??= new Map());
    let role = roles.get(streamerId);
    if (!role) {
      role = this.directory.roleOf(principal.twitchUserId, streamerId);
      roles.set(streamerId, role);
      role.catch(() => roles.delete(streamerId));
    }
    return role;
  }

  private decide(ability: Ability, streamerId: string): boolean | Promise<boolean> {
    if (this.principal.kind !== 'person') return allows(this.principal, ability, streamerId, null);
    return this.roleOn(streamerId).then((role) => allows(this.principal, ability, streamerId, role));
  }

  private streamerOf(target: StreamerTarget): Promise<string | null> {
    const streamers = (this.streamers ??= new Map());
    const key = JSON.stringify(target);
    let streamerId = streamers.get(key);
    if (!streamerId) {
      streamerId = this.directory.streamerIdOf(target);
      streamers.set(key, streamerId);
      streamerId.catch(() => streamers.delete(key));
    }
    return streamerId;
  }
}
