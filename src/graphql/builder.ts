import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver } from 'graphql-scalars';
import type PrismaTypes from '../generated/pothos-prisma-types';
import { getDatamodel } from '../generated/pothos-prisma-types';
import { authorizationError, scopeCacheKey, scopeLoaders, type AuthScopes } from '../auth/scopes';
import { isProductionProcess } from '../config/config';
import type { GraphQLContext } from './context';

/** Plugins, scalars and the context type; nothing else lives here. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  Scalars: { DateTime: { Input: Date; Output: Date | string } };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ErrorsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    // The rules live in src/auth; here only the wiring. One scope map per request (cached by
    // scope-auth per context), loaders cached per scope and target.
    authScopes: (context) => scopeLoaders(context.access),
    cacheKey: scopeCacheKey,
    unauthorizedError: (_parent, context) => authorizationError(context.principal),
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
