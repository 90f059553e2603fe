import type { Logger } from 'pino';
import type { ChatterSource } from '../chatters/chatter';
import type { ResolvedConfig } from '../config/config';
import type { Db } from '../db/database';
import type { ItemService } from '../items/item.service';
import type { EventBus } from '../pubsub/event-bus';
import type { RaffleService } from '../raffles/raffle.service';
import type { RoundRunner } from '../raffles/round-runner';
import type { StreamerService } from '../streamers/streamer.service';
import type { TwitchFeature } from '../twitch/twitch-feature';

/** What resolvers and routes reach: built once per app by createApp. */
export interface Services {
  config: ResolvedConfig;
  logger: Logger;
  db: Db;
  events: EventBus;
  chatters: ChatterSource;
  streamers: StreamerService;
  items: ItemService;
  raffles: RaffleService;
  rounds: RoundRunner;
  /** Linking, tokens and the Twitch clients (`runtime` is undefined when Twitch is not configured). */
  twitch: TwitchFeature;
}
