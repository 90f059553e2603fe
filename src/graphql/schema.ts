import { builder } from './builder';
import './error-types';
import '../streamers/streamer.type';
import '../streamers/streamer.mutations';
import '../items/item.type';
import '../items/item.mutations';
import '../raffles/raffle.type';
import '../raffles/round.type';
import '../entry/raffle-entry.type';
import '../raffles/raffle.mutations';
import '../raffles/raffle.subscriptions';
import '../twitch/twitch.type';
import '../twitch/twitch.mutations';
import '../twitch/eventsub/chat-status.type';
import '../chatters/chatters.type';
import '../people/people.type';
import '../people/raffle-stats.type';
import '../overlay/overlay.type';
import '../overlay/overlay.mutations';
import '../overlay/overlay.subscriptions';

/** Imports every feature module and builds the schema; nothing else. */
export const schema = builder.toSchema({ sortSchema: true });
