import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env';

/** `graphql()` for the dashboard's documents, typed from the server's printed schema (graphql-env.d.ts). */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: { DateTime: string; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
