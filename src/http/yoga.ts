import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import { resolvePrincipal, type Principal } from '../auth/principal';
import type { Services } from '../app/services';
import type { GraphQLContext } from '../graphql/context';
import { useSharedSubscriptionExecution } from '../graphql/plugins/shared-subscription-execution';
import { schema } from '../graphql/schema';
import type { OfflineGraphiQL } from './graphiql';
import { useIntrospectionForServiceOnly } from './introspection';

/** What the WebSocket layer adds to the initial context (see graphql-ws.ts). */
export interface WebSocketInitialContext {
  principal?: Principal;
}

/** What the Fastify route adds to the initial context (graphql.routes.ts). */
export interface FastifyInitialContext {
  req?: FastifyRequest;
  reply?: FastifyReply;
}

/**
 * The GraphQL server (served by the Fastify route in graphql.routes.ts and by graphql-ws.ts).
 * GraphiQL (offline, from node_modules) outside production only; in production introspection
 * is for the service principal only. CORS is @fastify/cors' job, so yoga's own is off.
 */
export function createGraphQLServer(services: Services, graphiql: OfflineGraphiQL) {
  const { config, logger } = services;
  return createYoga<WebSocketInitialContext & FastifyInitialContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.isProduction ? false : { title: 'KinoYu raffles', subscriptionsProtocol: 'WS' },
    renderGraphiQL: graphiql.render,
    cors: false,
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
      // One execution per event for subscribers sharing document, variables and principal.
      useSharedSubscriptionExecution(),
      ...(config.isProduction ? [useIntrospectionForServiceOnly()] : []),
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
