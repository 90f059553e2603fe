import { GraphQLError, NoSchemaIntrospectionCustomRule, validate } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context';

/**
 * Production: only the service principal may introspect the schema (`__schema`, `__type`).
 * Checked at execution, once the context knows the principal (HTTP and graphql-ws alike); other
 * callers get an error and nothing runs. `__typename` stays open to everyone.
 */
export function useIntrospectionForServiceOnly(): Plugin<GraphQLContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (args.contextValue.principal?.kind === 'service') return;
      const errors = validate(args.schema, args.document, [NoSchemaIntrospectionCustomRule]);
      if (errors.length > 0) {
        setResultAndStopExecution({
          errors: [new GraphQLError('Introspection is only for the service token here', { extensions: { code: 'INTROSPECTION_DISABLED' } })],
        });
      }
    },
  };
}
