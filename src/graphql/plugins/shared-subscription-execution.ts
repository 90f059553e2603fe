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
import { SubscriberTooSlowError } from '../../pubsub/event-bus';
import type { GraphQLContext } from '../context';

/**
 * Subscription events are executed once per group of identical subscribers, not once per
 * subscriber.
 *
 * Subscribers that send the same document, operation name and variables under the same
 * authorization class (see `principalAuthorizationKey`) would compute identical results for every
 * event. They share one "feed": one source event stream (pub/sub listener, catch-up), one
 * execution per event (resolvers, Prisma loads, field-level auth), and the feed hands the same
 * result to each of them. A feed lives while it has subscribers.
 *
 * What stays exact:
 * - Every subscriber still runs the subscription's `subscribe` resolver with its own context, so
 *   `authorizeOnSubscribe` (and argument validation) decides for each one, as before. A subscriber
 *   that joins an existing feed closes the stream it just opened before it starts (no listener,
 *   no database read).
 * - Field-level authorization depends only on the principal, and the principal is part of the
 *   key: a service subscriber never shares with an overlay, nor one streamer's overlay with
 *   another's. Another selection or other variables is another feed.
 * - Each subscriber keeps its own bounded backlog: more than `maxPendingPerSubscriber` results
 *   waiting for it ends that subscription with SubscriberTooSlowError (as the event bus does);
 *   the others go on.
 * - Errors of the event stream reach every subscriber of the feed as located GraphQLErrors, as
 *   the stock executor reports them.
 *
 * Assumptions: event resolvers read only the payload, the arguments and the principal/services of
 * the read-only context (true of this schema); results are not mutated downstream (envelop hooks,
 * yoga's error masking included, replace results instead of editing them). Documents are compared
 * by identity: yoga's parser cache returns the same DocumentNode for identical query text, so equal
 * queries share; a cache miss costs only sharing, never correctness. Contexts whose key is
 * `undefined` are executed privately, the stock way.
 */
export interface SharedSubscriptionExecutionOptions<Context> {
  /** Everything in the context that can change a result; `undefined`: execute privately. */
  authorizationKey(context: Context): string | undefined;
  /** Results one subscriber may have waiting before it is ended (default 256, as the event bus). */
  maxPendingPerSubscriber?: number;
  /** Called once per shared execution (metrics, tests). */
  onExecution?(key: string): void;
}

/** The authorization class of our principals: everything field-level auth can tell apart. */
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

const defaultOptions: SharedSubscriptionExecutionOptions<GraphQLContext> = {
  authorizationKey: (context) => principalAuthorizationKey(context.principal),
};

export function useSharedSubscriptionExecution<Context extends object = GraphQLContext>(
  options: SharedSubscriptionExecutionOptions<Context> = defaultOptions as unknown as SharedSubscriptionExecutionOptions<Context>,
): Plugin<Context> {
  const feeds = new Map<string, Feed>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const settings: FeedSettings = {
    maxPending: options.maxPendingPerSubscriber ?? 256,
    onExecution: options.onExecution,
    closed: (feed) => {
      if (feeds.get(feed.key) === feed) feeds.delete(feed.key);
    },
  };

  const documentId = (document: DocumentNode) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = ++nextDocumentId));
    return id;
  };

  const sharedSubscribe = async (args: ExecutionArgs, fallback: (args: ExecutionArgs) => unknown) => {
    const authorization = options.authorizationKey(args.contextValue as Context);
    if (authorization === undefined) return fallback(args);
    // The subscriber's own subscribe resolver: authorization and argument checks happen here. It
    // sees a short-lived view of the context (same values, through the prototype), so what
    // resolvers cache per context object during the check (Pothos' auth cache, ~1 KB) is not kept
    // for the life of the subscription; events are executed with the feed's context.
    const stream = await createSourceEventStream({ ...args, contextValue: Object.create(args.contextValue as object) });
    if (!isAsyncIterable(stream)) return stream;
    const key = [documentId(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), authorization].join(
      '\u0000',
    );
    const existing = feeds.get(key);
    if (existing && !existing.closed) {
      // Not started yet, so closing it registers no listener and reads nothing.
      void Promise.resolve(stream[Symbol.asyncIterator]().return?.()).catch(() => {});
      return existing.join();
    }
    const feed = new Feed(key, stream[Symbol.asyncIterator](), args, settings);
    feeds.set(key, feed);
    return feed.join();
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => sharedSubscribe(args as ExecutionArgs, subscribeFn as (args: ExecutionArgs) => unknown) as never);
    },
  };
}

interface FeedSettings {
  maxPending: number;
  onExecution: ((key: string) => void) | undefined;
  closed(feed: Feed): void;
}

/**
 * One source event stream and its subscribers. Pulls events while it has subscribers, executes
 * each once (in order, with the args of the subscriber that opened it, minus its abort signal) and
 * hands the result to every subscriber.
 */
class Feed {
  readonly members = new Set<FeedSubscriber>();
  closed = false;
  private pumping = false;

  constructor(
    readonly key: string,
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly settings: FeedSettings,
  ) {}

  join(): FeedSubscriber {
    const member = new FeedSubscriber(this, this.settings.maxPending);
    this.members.add(member);
    if (!this.pumping) {
      this.pumping = true;
      void this.pump();
    }
    return member;
  }

  leave(member: FeedSubscriber): void {
    if (!this.members.delete(member) || this.members.size > 0 || this.closed) return;
    this.close();
    void Promise.resolve(this.source.return?.()).catch(() => {});
  }

  private close(): void {
    this.closed = true;
    this.settings.closed(this);
  }

  private async pump(): Promise<void> {
    const { signal: _signal, ...args } = this.args as ExecutionArgs & { signal?: unknown };
    for (;;) {
      let event: IteratorResult<unknown>;
      try {
        event = await this.source.next();
      } catch (error) {
        this.end(locate(error, this.args));
        return;
      }
      if (event.done || this.closed) {
        this.end(undefined);
        return;
      }
      let result: ExecutionResult;
      try {
        this.settings.onExecution?.(this.key);
        result = withPlainData(await execute({ ...args, rootValue: event.value }));
      } catch (error) {
        // execute() reports resolver errors in the result; a throw here is a bug or a bad schema.
        this.end(error);
        void Promise.resolve(this.source.return?.()).catch(() => {});
        return;
      }
      for (const member of this.members) member.deliver(result);
    }
  }

  private end(error: unknown): void {
    if (!this.closed) this.close();
    for (const member of this.members) member.finish(error);
    this.members.clear();
  }
}

/**
 * One subscriber's response stream: results of its feed, in order, through a bounded backlog.
 * A class rather than closures: it lives as long as the subscription, and under tsx (esbuild's
 * keepNames) every named per-instance closure would also carry its own property dictionary.
 */
class FeedSubscriber implements AsyncGenerator<ExecutionResult, undefined> {
  private backlog: ExecutionResult[] | undefined;
  private waiting: { resolve(result: IteratorResult<ExecutionResult, undefined>): void; reject(error: unknown): void } | undefined;
  /** Set once the stream ended: `true` (done) or the error to report. */
  private ended: { error: unknown } | undefined;

  constructor(
    private readonly feed: Feed,
    private readonly maxPending: number,
  ) {}

  deliver(result: ExecutionResult): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: result, done: false });
      return;
    }
    this.backlog ??= [];
    if (this.backlog.length >= this.maxPending) {
      this.backlog = undefined;
      this.feed.leave(this);
      this.finish(new SubscriberTooSlowError(this.maxPending));
      return;
    }
    this.backlog.push(result);
  }

  /** Ends the stream: after what is already queued, with `error` or done. */
  finish(error: unknown): void {
    if (this.ended) return;
    this.ended = { error };
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      this.settle(waiting);
    }
  }

  next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    const queued = this.backlog?.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.ended) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    if (this.waiting) return Promise.reject(new Error('next() called again before the previous call settled'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorReturnResult<undefined>> {
    this.backlog = undefined;
    if (!this.ended) this.ended = { error: undefined };
    this.feed.leave(this);
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(waiting: { resolve(result: IteratorResult<ExecutionResult, undefined>): void; reject(error: unknown): void }): void {
    const error = this.ended?.error;
    if (error === undefined) waiting.resolve({ value: undefined, done: true });
    else {
      this.ended = { error: undefined }; // reported once, then done
      waiting.reject(error);
    }
  }
}

/**
 * The result with its `data` copied into ordinary objects. graphql-js builds response objects with
 * Object.create(null), which V8 keeps in dictionary mode, and JSON.stringify walks those on its slow
 * path; every subscriber's socket stringifies the result again, so one copy per event pays off.
 * Same keys in the same order, same values; objects of other classes (a custom scalar's) are kept
 * as they are. A response key `__proto__` (possible as an alias) keeps the original objects.
 */
function withPlainData(result: ExecutionResult): ExecutionResult {
  if (result.data === null || result.data === undefined) return result;
  const data = toPlain(result.data);
  return data === undefined ? result : { ...result, data: data as ExecutionResult['data'] };
}

function toPlain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index += 1) {
      const item = toPlain(value[index]);
      if (item === undefined && value[index] !== undefined) return undefined;
      copy[index] = item;
    }
    return copy;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && prototype !== Object.prototype) return value; // a scalar's own object (Date...): as is
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return undefined;
    const field = (value as Record<string, unknown>)[key];
    const plain = toPlain(field);
    if (plain === undefined && field !== undefined) return undefined;
    copy[key] = plain;
  }
  return copy;
}

/** As the stock executor does: an error of the event stream becomes a located GraphQLError. */
function locate(error: unknown, args: ExecutionArgs): GraphQLError {
  const operation = getOperationAST(args.document, args.operationName);
  return new GraphQLError(error instanceof Error ? error.message : String(error), {
    nodes: operation ? [operation] : undefined,
    originalError: error instanceof Error ? error : undefined,
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
