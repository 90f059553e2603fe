import type { FastifyPluginAsync } from 'fastify';
import type { OfflineGraphiQL } from './graphiql';
import type { GraphQLServer } from './yoga';

/**
 * `/graphql` over HTTP: yoga's Fastify integration, one route for GET, POST and OPTIONS that hands
 * Fastify's request and reply to yoga (GraphQL over HTTP, SSE by Accept, GraphiQL for browsers).
 * graphql-ws on the same path is the server's `upgrade` (graphql-ws.ts).
 *
 * Inside this plugin yoga reads every body itself (JSON, application/graphql, forms), so GraphQL
 * over HTTP semantics stay yoga's; Fastify only collects the bytes, which is where the app's
 * bodyLimit applies (413 before yoga sees anything).
 */
export function graphqlRoutes(yoga: GraphQLServer, graphiql: OfflineGraphiQL): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.route({
      url: yoga.graphqlEndpoint,
      method: ['GET', 'POST', 'OPTIONS'],
      handler: async (req, reply) => {
        const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
        if (response.headers.get('content-type')?.startsWith('text/html')) reply.helmet(graphiql.security());
        return response;
      },
    });
  };
}
