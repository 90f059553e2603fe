import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import { resolvePrincipal, type Principal } from '../auth/principal';
import type { Services } from '../app/services';
import type { GraphQLContext } from '../graphql/context';
import { useRejectNulCharacters } from '../graphql/plugins/reject-nul-characters';
import { useSharedSubscriptionExecution } from '../graphql/plugins/shared-subscription-execution';
import { schema } from '../graphql/schema';

/** What the WebSocket layer adds to the initial context (see graphql-ws.ts). */
export interface WebSocketInitialContext {
  principal?: Principal;
}

export function createGraphQLServer(services: Services) {
  const { config, logger } = services;
  return createYoga<WebSocketInitialContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'KinoYu raffles', subscriptionsProtocol: 'WS' },
    maskedErrors: true,
    logging: yogaLogger(logger.child({ subsystem: 'graphql' })),
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 15 },
        costLimit: { maxCost: 20_000 },
        maxTokens: { n: 4_000 },
        maxDirectives: { n: 20 },
        blockFieldSuggestion: { enabled: config.isProduction },
      }),
      useRejectNulCharacters(),
      // One execution per event for subscribers sharing document, variables and principal.
      useSharedSubscriptionExecution(),
    ],
    context: async (initial: YogaInitialContext & WebSocketInitialContext): Promise<GraphQLContext> => ({
      principal:
        initial.principal ??
        (await resolvePrincipal(
          {
            authorization: initial.request.headers.get('authorization') ?? undefined,
            overlayKey: initial.request.headers.get('x-overlay-key') ?? undefined,
          },
          principalDeps(services),
        )),
      services,
    }),
  });
}

export type GraphQLServer = ReturnType<typeof createGraphQLServer>;

export function principalDeps(services: Services) {
  return {
    apiToken: services.config.apiToken!,
    findStreamerIdByOverlayKey: (key: string) => services.streamers.findIdByOverlayKey(key),
  };
}

function yogaLogger(logger: Logger) {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length > 0 ? rest : undefined }, String(first));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
