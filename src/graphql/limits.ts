import type { Plugin } from '@envelop/core';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { PrincipalKind } from '../auth/principal';
import type { GraphQLContext } from './context';

/**
 * Per-principal request limits, checked before any resolver runs:
 * - cost: the complexity plugin's estimate, where a list field multiplies its children by its page
 *   or list size (see list-size.ts), so nested lists and cycles such as
 *   `Raffle.winners → Round.raffle → winners` multiply and are refused;
 * - depth: levels of selection (graphql-armor's maxDepth stays the outer bound for everyone);
 * - time: queries and mutations stop after `timeoutMs` (the executor's AbortSignal).
 * Overlay keys sit in OBS URLs and leak, so they get the tightest limits.
 */
export interface RequestLimits {
  readonly cost: number;
  readonly depth: number;
  readonly timeoutMs: number;
}

export const REQUEST_LIMITS: Readonly<Record<PrincipalKind, RequestLimits>> = Object.freeze({
  service: { cost: 100_000, depth: 12, timeoutMs: 15_000 },
  person: { cost: 50_000, depth: 10, timeoutMs: 10_000 },
  overlay: { cost: 20_000, depth: 8, timeoutMs: 5_000 },
  anonymous: { cost: 5_000, depth: 8, timeoutMs: 5_000 },
});

export interface RequestLimitsOptions {
  /** Limits per principal kind; default REQUEST_LIMITS. */
  limits?: Readonly<Record<PrincipalKind, RequestLimits>>;
}

/** The envelop plugin that enforces the limits of the request's principal. */
export function useRequestLimits(options: RequestLimitsOptions = {}): Plugin<GraphQLContext> {
  const limitsOf = (context: GraphQLContext) => (options.limits ?? REQUEST_LIMITS)[context.principal.kind];
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const limits = limitsOf(args.contextValue);
      const errors = costErrors(args.schema, args.document, args.contextValue, args.variableValues, args.operationName, limits);
      if (errors.length > 0) {
        setResultAndStopExecution({ errors });
        return;
      }
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(timeoutError(limits.timeoutMs)), limits.timeoutMs);
      timer.unref();
      // The request's signal may come from yoga's fetch ponyfill, which AbortSignal.any refuses on
      // Node 24 ("not of type AbortSignal"): follow it by its event instead.
      const requestSignal = (args.contextValue as { request?: Request }).request?.signal;
      const followRequest = () => timeout.abort(requestSignal?.reason);
      if (requestSignal?.aborted) followRequest();
      else requestSignal?.addEventListener('abort', followRequest, { once: true });
      // The executor of graphql-yoga stops resolving once this signal aborts (as yoga's own
      // useExecutionCancellation does with the request's signal alone).
      Object.assign(args, { signal: timeout.signal });
      return {
        onExecuteDone: () => {
          clearTimeout(timer);
          requestSignal?.removeEventListener('abort', followRequest);
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = costErrors(args.schema, args.document, args.contextValue, args.variableValues, args.operationName, limitsOf(args.contextValue));
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}

/**
 * Operations found within their limits, per document: a query's cost and depth depend only on the
 * document, the operation, the variables (list sizes) and the principal kind's limits, never on
 * who asks beyond that (no complexity function of this schema reads the context). yoga's parser
 * cache hands out the same DocumentNode for the same text, so a repeated query is checked once.
 * Refusals are not remembered (they are computed again, rare and cheap). At most
 * MAX_PASSED_PER_DOCUMENT variable sets per document are kept; then the oldest is forgotten.
 */
const passed = new WeakMap<DocumentNode, Set<string>>();
const MAX_PASSED_PER_DOCUMENT = 256;

function costErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  context: GraphQLContext,
  variableValues: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  limits: RequestLimits,
): readonly GraphQLError[] {
  const who = context.principal.kind;
  const key = `${who}\u0000${limits.cost}\u0000${limits.depth}\u0000${operationName ?? ''}\u0000${JSON.stringify(variableValues ?? {})}`;
  const known = passed.get(document);
  if (known?.has(key)) return [];
  const errors = measuredCostErrors(schema, document, context, variableValues, operationName, limits);
  if (errors.length === 0) {
    let set = known;
    if (!set) passed.set(document, (set = new Set()));
    if (set.size >= MAX_PASSED_PER_DOCUMENT) set.delete(set.values().next().value!);
    set.add(key);
  }
  return errors;
}

function measuredCostErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  context: GraphQLContext,
  variableValues: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  limits: RequestLimits,
): readonly GraphQLError[] {
  const who = context.principal.kind;
  const rule = createComplexityRule({
    context,
    variableValues: variableValues ?? {},
    operationName,
    validate: ({ complexity, depth }, report) => {
      if (depth > limits.depth) {
        report(refusal(`Query is ${depth} levels deep; at most ${limits.depth} for the ${who} principal`, 'QUERY_TOO_DEEP', { depth, maxDepth: limits.depth }));
      }
      if (complexity > limits.cost) {
        report(
          refusal(
            `Query cost ${complexity} exceeds ${limits.cost} for the ${who} principal: lists multiply by their page size, so ask for smaller pages (first) or fewer nested lists`,
            'QUERY_TOO_COSTLY',
            { cost: complexity, maxCost: limits.cost },
          ),
        );
      }
    },
  });
  return validate(schema, document, [rule]).map((error) =>
    error.extensions.code ? error : refusal(error.message, 'GRAPHQL_VALIDATION_FAILED', {}),
  );
}

function refusal(message: string, code: string, details: Record<string, number>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details, http: { status: 400 } } });
}

function timeoutError(timeoutMs: number): GraphQLError {
  return new GraphQLError(`Query stopped after ${timeoutMs / 1000} s, the time limit`, {
    extensions: { code: 'QUERY_TIMEOUT', timeoutMs, http: { status: 503 } },
  });
}
