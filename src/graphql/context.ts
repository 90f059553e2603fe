import type { ProofService } from '../proofs/proof.service';
import type { Principal } from '../auth/principal';
import { RequestAccess } from '../auth/request-access';
import type { AccessDirectory } from '../auth/roles';
import type { ChatterSource } from '../chatters/chatter';
import type { Db } from '../db/database';
import type { ItemService } from '../items/item.service';
import type { EventBus } from '../pubsub/event-bus';
import type { RaffleService } from '../raffles/raffle.service';
import type { RerollService } from '../raffles/reroll.service';
import type { PeopleService } from '../people/people.service';
import type { OverlayService } from '../overlay/overlay.service';
import type { RoundCatchUp } from '../raffles/round-catch-up';
import type { StreamerService } from '../streamers/streamer.service';
import type { TwitchFeature } from '../twitch/twitch-feature';
import type { VerifyLinks } from '../verify/verify-url';

/** What resolvers reach; the app's Services satisfies it (resolvers know nothing of the app). */
export interface GraphQLServices {
  /** Prisma-backed fields load through it (with Pothos' `query`); see refetch.ts. */
  db: Db;
  events: EventBus;
  chatters: ChatterSource;
  streamers: StreamerService;
  items: ItemService;
  raffles: Pick<RaffleService, 'start' | 'stop' | 'drawNow'>;
  rerolls: Pick<RerollService, 'reroll'>;
  roundCatchUp: RoundCatchUp;
  /** `PUBLIC_URL/verify/<roundId>` (Round.verifyUrl). */
  verifyLinks: VerifyLinks;
  twitch: Pick<TwitchFeature, 'link'>;
  config: { raffle: { excludedLogins: readonly string[] } };
  /** Roles and resource owners for authorization (src/auth). */
  access: AccessDirectory;
  /** The viewer and the owner's editors. */
  people: PeopleService;
  /** The overlay studio: settings and test wins. */
  overlay: OverlayService;
  /** This instance's live connections: a rotation cuts its own at once (others hear the bus). */
  liveConnections: { rotated(streamerId: string): number };
  /** Public proof bundles (FAIRNESS.md) and revealed sealed seeds. */
  proofs: Pick<ProofService, 'proof' | 'revealedSeed'>;
}

/** Read-only per-request context, built by the HTTP and WebSocket layers alike. */
export interface GraphQLContext {
  readonly principal: Principal;
  /** The principal's authorization state for this request (lazy role look-ups, see src/auth). */
  readonly access: RequestAccess;
  readonly services: GraphQLServices;
}

export function createGraphQLContext(principal: Principal, services: GraphQLServices): GraphQLContext {
  return { principal, access: new RequestAccess(principal, services.access), services };
}
