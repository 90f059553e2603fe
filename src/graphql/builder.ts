import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type PrismaTypes from '../generated/pothos-prisma-types';
import { getDatamodel } from '../generated/pothos-prisma-types';
import { authorizationError, scopeCacheKey, scopeLoaders, type AuthScopes } from '../auth/scopes';
import { isProductionProcess } from '../config/config';
import type { GraphQLContext } from './context';
import { DECLARED_LIST_SIZE, PAGE_SIZE } from './list-size';

/** Plugins, scalars and the context type; nothing else lives here. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  Scalars: { DateTime: { Input: Date; Output: Date | string }; JSON: { Input: unknown; Output: unknown } };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ErrorsPlugin, ComplexityPlugin],
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
    defaultConnectionSize: PAGE_SIZE.default,
    maxConnectionSize: PAGE_SIZE.max,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A connection field multiplies by its page size (list-size.ts), so its edges do not again.
    edgesFieldOptions: { complexity: { field: 1, multiplier: 1 } },
  },
  // Costs only; the per-principal limits are enforced in limits.ts, before execution.
  complexity: { defaultComplexity: 1, defaultListMultiplier: DECLARED_LIST_SIZE },
  errors: {
    directResult: true,
    defaultTypes: [],
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
