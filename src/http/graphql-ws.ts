import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { resolvePrincipal, type Principal } from '../auth/principal';
import type { Services } from '../app/services';
import { principalDeps, type GraphQLServer } from './yoga';

type ConnectionExtra = {
  principal?: Principal;
};

/**
 * graphql-ws on the GraphQL path, executed through yoga's envelop (same schema, plugins, limits
 * and context as HTTP). The credential comes in connectionParams (`authorization` or
 * `overlayKey`) and is checked once, at connection init: a bad or missing one closes with 4403.
 */
export function attachGraphQLWebSocket(httpServer: Server, yoga: GraphQLServer, services: Services) {
  const allowedOrigins = services.config.http.allowedOrigins;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    verifyClient: allowedOrigins
      ? ({ origin }: { origin: string | undefined }) => !origin || allowedOrigins.includes(origin)
      : undefined,
  });
  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      connectionInitWaitTimeout: 10_000,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (context) => {
        const params = context.connectionParams ?? {};
        const principal = await resolvePrincipal(
          {
            authorization: stringParam(params.authorization) ?? stringParam(params.Authorization),
            overlayKey: stringParam(params.overlayKey),
          },
          principalDeps(services),
        );
        if (principal.kind === 'anonymous') return false;
        context.extra.principal = principal;
        return true;
      },
      onSubscribe: async (context, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params: payload,
          principal: context.extra.principal,
        });
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wsServer,
    12_000,
  );
  return {
    wsServer,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

type OperationResult = ReturnType<NonNullable<ServerOptions['execute']>>;

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
