import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type PrismaTypes from '../generated/pothos-prisma-types';
import { getDatamodel } from '../generated/pothos-prisma-types';
import { isProductionProcess } from '../config/config';
import type { GraphQLContext } from './context';

/** Plugins, scalars and the context type; nothing else lives here. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { service: boolean; overlayOf: string };
  Scalars: { DateTime: { Input: Date; Output: Date | string } };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ErrorsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      service: context.principal.kind === 'service',
      overlayOf: (streamerId: string) =>
        context.principal.kind === 'service' ||
        (context.principal.kind === 'overlay' && context.principal.streamerId === streamerId),
    }),
    unauthorizedError: (_parent, context) =>
      context.principal.kind === 'anonymous'
        ? new GraphQLError(
            context.principal.rejectedCredential
              ? 'Invalid credentials: the API token or overlay key was not accepted'
              : 'Authentication required: send Authorization: Bearer <API_TOKEN>',
            { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } },
          )
        : new GraphQLError('Not allowed for this principal', { extensions: { code: 'FORBIDDEN' } }),
  },
  prisma: {
    client: (context) => context.services.db,
    dmmf: getDatamodel(),
    onUnusedQuery: isProductionProcess ? 'warn' : 'error',
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
  },
  errors: {
    directResult: true,
    defaultTypes: [],
  },
});

builder.addScalarType('DateTime', DateTimeResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
