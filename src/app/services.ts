import type { Logger } from 'pino';
import type { PrincipalResolver } from '../auth/principal-resolver';
import type { AccessDirectory } from '../auth/roles';
import type { ChatterSource } from '../chatters/chatter';
import type { ResolvedConfig } from '../config/config';
import type { Db } from '../db/database';
import type { GraphQLServices } from '../graphql/context';
import type { GraphQLServerServices } from '../http/yoga';
import type { WebSocketServices } from '../http/graphql-ws';
import type { ItemService } from '../items/item.service';
import type { EventBus } from '../pubsub/event-bus';
import type { PeopleService } from '../people/people.service';
import type { OverlayService } from '../overlay/overlay.service';
import type { ProofService } from '../proofs/proof.service';
import type { SessionStore } from '../sessions/session.store';
import type { LiveConnections } from '../http/live-connections';
import type { RaffleService } from '../raffles/raffle.service';
import type { RerollService } from '../raffles/reroll.service';
import type { ClaimService } from '../raffles/claims.service';
import type { RoundCatchUp } from '../raffles/round-catch-up';
import type { RoundRunner } from '../raffles/round-runner';
import type { StreamerService } from '../streamers/streamer.service';
import type { TwitchFeature } from '../twitch/twitch-feature';
import type { VerifyLinks } from '../verify/verify-url';

/**
 * Everything the app built, once per app by createApp (tests and operators reach it through the
 * running app). Lower layers never import this: each declares the narrow part it uses
 * (GraphQLServices, GraphQLServerServices, WebSocketServices...) and this satisfies them all.
 */
export interface Services {
  config: ResolvedConfig;
  logger: Logger;
  db: Db;
  events: EventBus;
  chatters: ChatterSource;
  streamers: StreamerService;
  items: ItemService;
  raffles: RaffleService;
  /** Rerolls (and the redraw after an expired claim). */
  rerolls: RerollService;
  /** Claim windows: chat claims and the deadline job. */
  claims: ClaimService;
  rounds: RoundRunner;
  roundCatchUp: RoundCatchUp;
  /** The public verify page of a round (`PUBLIC_URL/verify/<roundId>`). */
  verifyLinks: VerifyLinks;
  /** Credentials → principals (API token, overlay keys). */
  principals: PrincipalResolver;
  /** Roles and resource owners for authorization decisions. */
  access: AccessDirectory;
  /** Linking, tokens and the Twitch clients (`runtime` is undefined when Twitch is not configured). */
  twitch: TwitchFeature;
  /** The viewer and the owner's editors. */
  people: PeopleService;
  /** The overlay studio: settings and test wins. */
  overlay: OverlayService;
  /** Caps and overlay-key cuts of this instance's sockets and SSE streams. */
  liveConnections: LiveConnections;
  /** Dashboard sessions (Log in with Twitch). */
  sessions: SessionStore;
  /** Public proof bundles of rounds (FAIRNESS.md). */
  proofs: ProofService;
}

// Compile-time proof that the app's services give every layer what it declares.
type Satisfies<T extends U, U> = T;
export type ServicesSatisfyLayers = Satisfies<Services, GraphQLServices & GraphQLServerServices & WebSocketServices>;
