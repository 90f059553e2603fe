import { InvalidStateError, NotFoundError, TwitchNotLinkedError } from '../errors/domain-errors';
import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { ChatterType } from '../raffles/round.type';
import { LIVE_CHATTERS_MAX_SAMPLE, liveChatters, type LiveChatters } from './live-chatters';

const LiveChattersType = builder.objectRef<LiveChatters>('LiveChatters').implement({
  description: 'Who could win a round right now.',
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'Eligible chatters: the chat minus the broadcaster, bots and earlier winners.' }),
    total: t.exposeInt('total', { description: 'Everyone in the chat.' }),
    sample: t.field({ type: [ChatterType], description: 'Some eligible chatters, picked at random.', resolve: (live) => live.sample }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime', description: 'When the chat was read (reused for a few seconds).' }),
  }),
});

builder.queryFields((t) => ({
  liveChatters: t.field({
    type: LiveChattersType,
    description: "The streamer's chat as the next round would see it.",
    args: {
      streamerId: t.arg.id({ required: true }),
      sampleSize: t.arg.int({ defaultValue: 20, description: `At most ${LIVE_CHATTERS_MAX_SAMPLE}.` }),
    },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [NotFoundError, TwitchNotLinkedError, InvalidStateError] },
    resolve: (_root, args, context) =>
      liveChatters(
        {
          db: context.services.db,
          chatters: context.services.chatters,
          excludedLogins: context.services.config.raffle.excludedLogins,
        },
        String(args.streamerId),
        args.sampleSize ?? 20,
      ),
  }),
}));
