import type { Plugin } from '@envelop/core';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Principal } from '../../auth/principal';
import type { GraphQLContext } from '../context';

/**
 * Executes each subscription event once per group of subscribers instead of once per subscriber.
 *
 * The event bus hands the SAME payload object to every listener of a channel, so the result of
 * executing one event is a function of (payload object, document, operation name, variables,
 * authorization class). Subscribers that agree on all of these get the one shared result; the
 * first of them to reach the event runs the ordinary execution (resolvers, field-level auth,
 * Prisma selections) and the others reuse its result. Results are memoized in a WeakMap keyed by
 * the payload, so they go away with the event.
 *
 * What stays exact:
 * - Subscribing is untouched: each subscriber's own context runs the subscribe resolver, so
 *   `authorizeOnSubscribe` decides per subscriber, as before.
 * - Field-level authorization depends only on the principal, and the principal is part of the
 *   key (`service`, `overlay:<streamerId>`): a service subscriber never shares with an overlay,
 *   nor an overlay of one streamer with another's.
 * - A different selection or different variables is a different key, thus its own execution.
 *
 * Assumptions: resolvers of subscription events read only the payload, the arguments and the
 * principal/services from the context (true of this schema: the context is read-only); and
 * results are not mutated after execution (envelop's result hooks, yoga's error masking included,
 * replace results rather than edit them). Documents are compared by identity: yoga's parser cache
 * gives the same DocumentNode to identical query strings, so equal queries share; a cache miss
 * only costs sharing, never correctness. Contexts whose key is `undefined` are not shared.
 */
export interface SharedSubscriptionExecutionOptions<Context> {
  /** Everything in the context that can change a result; `undefined`: execute privately. */
  authorizationKey(context: Context): string | undefined;
  /** Called once per shared execution (metrics, tests). */
  onExecution?(key: string): void;
}

/** The authorization class of our principals: what field-level auth can tell apart. */
export function principalAuthorizationKey(principal: Principal): string {
  switch (principal.kind) {
    case 'service':
      return 'service';
    case 'overlay':
      return `overlay:${principal.streamerId}`;
    case 'anonymous':
      return principal.rejectedCredential ? 'anonymous:rejected' : 'anonymous';
  }
}

export function useSharedSubscriptionExecution<Context extends object = GraphQLContext>(
  options: SharedSubscriptionExecutionOptions<Context> = {
    authorizationKey: (context) => principalAuthorizationKey((context as unknown as GraphQLContext).principal),
  } as SharedSubscriptionExecutionOptions<Context>,
): Plugin<Context> {
  /** payload object → (subscription key → its one execution for that payload) */
  const executions = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;

  const documentId = (document: DocumentNode) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = ++nextDocumentId));
    return id;
  };

  const executeShared = (payload: unknown, key: string, args: ExecutionArgs) => {
    const run = () => {
      options.onExecution?.(key);
      // No abort signal: the execution serves every subscriber of the key, not just this one.
      const { signal: _signal, ...shared } = args as ExecutionArgs & { signal?: unknown };
      return execute({ ...shared, rootValue: payload });
    };
    if (typeof payload !== 'object' || payload === null) return run();
    let byKey = executions.get(payload);
    if (!byKey) executions.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (result === undefined) {
      result = run();
      byKey.set(key, result);
    }
    return result;
  };

  const sharedSubscribe = async (args: ExecutionArgs, fallback: (args: ExecutionArgs) => unknown) => {
    const authorization = options.authorizationKey(args.contextValue as Context);
    if (authorization === undefined) return fallback(args);
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const key = [
      documentId(args.document),
      args.operationName ?? '',
      JSON.stringify(args.variableValues ?? {}),
      authorization,
    ].join('\u0000');
    return new SharedEventIterator(stream[Symbol.asyncIterator](), key, args, executeShared);
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => sharedSubscribe(args as ExecutionArgs, subscribeFn as (args: ExecutionArgs) => unknown) as never);
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

type ExecuteShared = (payload: unknown, key: string, args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>;

/**
 * One subscriber's response stream: each source event mapped to the shared execution of its key,
 * as graphql-js maps events to `execute`. `return` reaches the source at once, so unsubscribing
 * removes the listener from the event bus. A class rather than closures: this object lives as long
 * as the subscription, and per-instance closures would cost several hundred bytes each under tsx
 * (esbuild's keepNames gives every named closure its own property dictionary).
 */
class SharedEventIterator implements AsyncGenerator<ExecutionResult, undefined> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly key: string,
    private readonly args: ExecutionArgs,
    private readonly executeShared: ExecuteShared,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    let event: IteratorResult<unknown>;
    try {
      event = await this.source.next();
    } catch (error) {
      throw this.locate(error);
    }
    if (event.done) return { value: undefined, done: true };
    try {
      return { value: await this.executeShared(event.value, this.key, this.args), done: false };
    } catch (error) {
      await this.closeSource();
      throw error;
    }
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.closeSource();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** As the stock executor does: an error of the event stream becomes a located GraphQLError. */
  private locate(error: unknown): GraphQLError {
    const operation = getOperationAST(this.args.document, this.args.operationName);
    return new GraphQLError(error instanceof Error ? error.message : String(error), {
      nodes: operation ? [operation] : undefined,
      originalError: error instanceof Error ? error : undefined,
    });
  }

  private async closeSource(): Promise<void> {
    try {
      await this.source.return?.();
    } catch {
      // The source failed while closing; the error being reported wins.
    }
  }
}
