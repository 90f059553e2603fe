import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env';

/**
 * `graphql()` for the bot's documents: result and variable types are inferred from the server's
 * printed schema (graphql-env.d.ts, made by generate-env.ts), so no schema type is copied by hand.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: { DateTime: string; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
