import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { PrincipalResolver } from '../auth/principal-resolver';
import type { Config } from '../config/config';
import { createGraphQLContext, type GraphQLContext, type GraphQLServices } from '../graphql/context';
import { createErrorMasking } from '../graphql/error-masking';
import { useRequestLimits } from '../graphql/limits';
import { useRejectNulCharacters } from '../graphql/plugins/reject-nul-characters';
import { schema } from '../graphql/schema';
import { useSharedSubscriptions, type DirectSinkContext } from '../graphql/subscription-sharing';
import type { OfflineGraphiQL } from './graphiql';
import { useIntrospectionForServiceOnly } from './introspection';

/** What the WebSocket layer adds to the initial context (see graphql-ws.ts). */
export interface WebSocketInitialContext extends DirectSinkContext {
  principal?: Principal;
}

/** What the GraphQL server reaches: the resolvers' services, how credentials become principals. */
export interface GraphQLServerServices extends GraphQLServices {
  config: GraphQLServices['config'] & Pick<Config, 'isProduction'>;
  logger: Logger;
  principals: PrincipalResolver;
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
export function createGraphQLServer(services: GraphQLServerServices, graphiql: OfflineGraphiQL) {
  const { config, logger } = services;
  const graphqlLogger = logger.child({ subsystem: 'graphql' });
  return createYoga<WebSocketInitialContext & FastifyInitialContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.isProduction ? false : { title: 'KinoYu raffles', subscriptionsProtocol: 'WS' },
    renderGraphiQL: graphiql.render,
    cors: false,
    // Fastify's bodyLimit (http-app.ts) bounds every body before yoga sees it, and SSE and
    // graphql-ws have no request body. Yoga's own limit would stream each already-collected body
    // through a counting TransformStream again (about 8 % of a small query's CPU).
    maxRequestBodySize: false,
    maskedErrors: true,
    logging: yogaLogger(graphqlLogger),
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 15 },
        costLimit: { maxCost: 20_000 },
        maxTokens: { n: 4_000 },
        maxDirectives: { n: 20 },
        blockFieldSuggestion: { enabled: config.isProduction },
      }),
      useRequestLimits(), // per-principal cost (lists multiply), depth and time limits
      useRejectNulCharacters(),
      // One execution per event for subscribers sharing document, variables and principal.
      useSharedSubscriptions(createErrorMasking(graphqlLogger)),
      ...(config.isProduction ? [useIntrospectionForServiceOnly()] : []),
    ],
    context: async (initial: YogaInitialContext & WebSocketInitialContext): Promise<GraphQLContext> =>
      createGraphQLContext(initial.principal ?? (await services.principals.fromHeaders(initial.request.headers)), services),
  });
}

export type GraphQLServer = ReturnType<typeof createGraphQLServer>;

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
