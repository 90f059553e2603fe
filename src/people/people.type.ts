import { TwitchNotConfiguredError, TwitchNotLinkedError } from '../errors/domain-errors';
import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { commonErrors } from '../graphql/error-types';
import { DECLARED_LIST_SIZE } from '../graphql/list-size';
import { refetch } from '../graphql/refetch';
import type { StreamerRole } from '../auth/roles';
import type { Person } from './people.service';

const StreamerRoleType = builder.enumType('StreamerRole', {
  description: 'OWNER: the streamer\'s linked Twitch account. EDITOR: added by the owner; steers, does not manage.',
  values: ['OWNER', 'EDITOR'] as const,
});

builder.prismaObject('StreamerEditor', {
  description: 'A person the owner lets steer the streamer (raffles, items), keyed by Twitch user id.',
  fields: (t) => ({
    twitchUserId: t.exposeString('twitchUserId'),
    login: t.exposeString('login', { description: 'The login as Twitch reported it when added.' }),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('Streamer', 'editors', (t) =>
  t.relation('editors', {
    description: `Who the owner lets steer this streamer, oldest first. Complete; costed as a list of ${DECLARED_LIST_SIZE}.`,
    authScopes: (streamer) => ({ steer: { streamerId: streamer.id } }),
    complexity: { field: 1, multiplier: DECLARED_LIST_SIZE },
    query: { orderBy: [{ addedAt: 'asc' }, { twitchUserId: 'asc' }] },
  }),
);

const StreamerAccessType = builder.objectRef<{ role: StreamerRole; streamerId: string }>('StreamerAccess').implement({
  description: 'A streamer the viewer may steer, and their role on it.',
  fields: (t) => ({
    role: t.field({ type: StreamerRoleType, resolve: (access) => access.role }),
    streamer: t.prismaField({
      type: 'Streamer',
      resolve: (query, access, _args, context) => refetch.streamer(context, query, access.streamerId),
    }),
  }),
});

const ViewerType = builder.objectRef<Person>('Viewer').implement({
  description: 'The person logged in on the dashboard (Log in with Twitch).',
  fields: (t) => ({
    twitchUserId: t.exposeString('twitchUserId'),
    login: t.exposeString('login'),
    displayName: t.exposeString('displayName'),
    streamers: t.field({
      type: [StreamerAccessType],
      description: 'The streamer they own first, then those they edit. Complete.',
      complexity: { field: 1, multiplier: DECLARED_LIST_SIZE },
      resolve: (person, _args, context) => context.services.people.streamersOf(person.twitchUserId),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerType,
    nullable: true,
    description: 'Who is logged in (the dashboard session). Without a session: an UNAUTHENTICATED error (FORBIDDEN for the service and overlays).',
    authScopes: { person: true },
    resolve: (_root, _args, context) =>
      context.principal.kind === 'person' ? context.services.people.person(context.principal.twitchUserId) : null,
  }),
}));

const editorErrors = [...commonErrors, TwitchNotConfiguredError, TwitchNotLinkedError];

builder.mutationFields((t) => ({
  addEditor: t.prismaField({
    type: 'Streamer',
    description: 'Lets the Twitch user `login` steer this streamer (owner only). An unknown login: ValidationError on `login`.',
    args: { streamerId: t.arg.id({ required: true }), login: t.arg.string({ required: true }) },
    authScopes: may.manage(streamerArg('streamerId')),
    errors: { types: editorErrors },
    resolve: async (query, _root, args, context) => {
      await context.services.people.addEditor(String(args.streamerId), args.login);
      return refetch.streamer(context, query, String(args.streamerId));
    },
  }),
  removeEditor: t.prismaField({
    type: 'Streamer',
    description: 'Ends an editor\'s role on this streamer (owner only); not an editor: nothing changes.',
    args: { streamerId: t.arg.id({ required: true }), twitchUserId: t.arg.string({ required: true }) },
    authScopes: may.manage(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      await context.services.people.removeEditor(String(args.streamerId), args.twitchUserId);
      return refetch.streamer(context, query, String(args.streamerId));
    },
  }),
}));
