import type { Plugin } from '@envelop/core';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/**
 * Subscription events are executed once per group of identical subscribers, not once per
 * subscriber.
 *
 * Subscribers that send the same document, operation name and variables under the same
 * authorization class (`authorizationKey`, e.g. the principal's) compute identical results for an
 * event. So:
 *
 * - Every event payload is executed once per such key: the event bus hands the SAME payload
 *   object to every listener of a channel, and executions are memoized per (payload object, key)
 *   in a WeakMap, gone with the event. Resolvers, Prisma loads and field-level auth run once.
 * - Subscribers whose root field only names the channel (`channelArguments`, e.g. `streamerId`)
 *   also share one "feed": one source event stream (pub/sub listener, catch-up after a Redis
 *   outage) whose results go to each of them. A subscriber that passes any other argument (e.g.
 *   `afterRoundId`, which replays rounds to that subscriber first) keeps its own event stream;
 *   its live events still share the memoized executions.
 *
 * What stays exact:
 * - Every subscriber runs the subscription's `subscribe` resolver itself, so `authorizeOnSubscribe`
 *   and argument checks decide for each one, as before. One that joins an existing feed closes the
 *   stream it just opened before it starts (no listener, no database read).
 * - Field-level authorization must depend only on what `authorizationKey` covers (the caller
 *   supplies it, e.g. one key per principal class: a service subscriber never shares with an
 *   overlay, nor one streamer's overlay with another's). Another selection or other variables is
 *   another key.
 * - Each feed subscriber has its own bounded backlog: more than `maxPendingPerSubscriber` results
 *   waiting for it end that subscription with `tooSlowError` (as the event bus does); the others go
 *   on. Errors of the event stream reach subscribers as located GraphQLErrors, as the
 *   stock executor reports them.
 * - One difference, within the contract ("dedupe by id"): after a pub/sub outage a feed replays
 *   from the last event IT delivered, so a subscriber that joined during the outage may also get
 *   rounds committed just before it subscribed.
 *
 * Direct sinks (`directSink`): a transport whose `next` message differs between subscribers only
 * by the subscription id (graphql-ws) hands the subscribe call a sink instead of consuming an
 * iterator. A feed then serializes each event's result once (errors masked by `maskError`, as the
 * transport's own path would) and passes the same bytes to every sink; no per-subscriber
 * iterator, promise, envelop result hook or `JSON.stringify` exists. The subscribe call resolves
 * to an empty stream the transport drops; the sink learns its feed through `joined` and leaves it
 * with `feed.leave(sink)`. The stream's end reaches it through `end` (the error masked).
 *
 * Assumptions: event resolvers read only the payload, the arguments and what the authorization key
 * covers of the read-only context (true of this schema); results are not mutated downstream (envelop hooks,
 * yoga's error masking included, replace results instead of editing them). Documents are compared
 * by identity: yoga's parser cache returns the same DocumentNode for identical query text, so equal
 * queries share; a cache miss costs only sharing, never correctness. Contexts whose key is
 * `undefined` are executed privately, the stock way.
 */
export interface SharedSubscriptionExecutionOptions<Context> {
  /** Everything in the context that can change a result; `undefined`: execute privately. */
  authorizationKey(context: Context): string | undefined;
  /**
   * Root-field arguments that only choose the channel. A subscription that gives any other
   * argument a non-null value keeps its own event stream (default: `streamerId`).
   */
  channelArguments?: readonly string[];
  /** Results one feed subscriber may have waiting before it is ended (default 256, as the bus). */
  maxPendingPerSubscriber?: number;
  /** The error that ends a feed subscriber with more than `limit` results waiting. */
  tooSlowError(limit: number): Error;
  /** Called once per shared execution (metrics, tests). */
  onExecution?(key: string): void;
  /**
   * Where a feed subscriber's results go as serialized bytes instead of through its iterator;
   * `undefined`: its iterator. Asked only of subscribers that share a feed.
   */
  directSink?(context: Context): DirectResultSink | undefined;
  /** Masks an error before a direct sink sees it (the transport's masking); default: as is. */
  maskError?(error: unknown): Error;
}

/** A feed member that takes results already serialized, without an iterator. */
export interface DirectResultSink {
  /** Called once, when it joined `feed`; it leaves with `feed.leave(this)`. */
  joined(feed: FeedMembership): void;
  /** A result as the UTF-8 of its JSON (`data`, `extensions` as they come, masked `errors` last). */
  next(serializedResult: Buffer): void;
  /** The stream ended: with the (masked) error, or done when `error` is undefined. Called once. */
  end(error: Error | undefined): void;
}

export interface FeedMembership {
  leave(sink: DirectResultSink): void;
}

type ExecuteShared = (payload: unknown, key: string, args: ExecutionArgs) => Promise<ExecutionResult>;

export function useSharedSubscriptionExecution<Context extends object>(options: SharedSubscriptionExecutionOptions<Context>): Plugin<Context> {
  const channelArguments = new Set(options.channelArguments ?? ['streamerId']);
  /** payload object → (key → its one execution) */
  const executions = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
  const feeds = new Map<string, Feed>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;

  const documentId = (document: DocumentNode) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = ++nextDocumentId));
    return id;
  };

  const executeShared: ExecuteShared = (payload, key, args) => {
    const run = async () => {
      options.onExecution?.(key);
      // No abort signal: the execution serves every subscriber of the key, not just this one.
      const { signal: _signal, ...shared } = args as ExecutionArgs & { signal?: unknown };
      return withPlainData(await execute({ ...shared, rootValue: payload }));
    };
    if (typeof payload !== 'object' || payload === null) return run();
    let byKey = executions.get(payload);
    if (!byKey) executions.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = run()));
    return result;
  };

  const maskError = options.maskError ?? ((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  /** result → its JSON bytes (errors masked), made once for every sink of every feed that delivers it */
  const serializations = new WeakMap<ExecutionResult, Buffer>();
  const serialize = (result: ExecutionResult) => {
    let bytes = serializations.get(result);
    if (!bytes) serializations.set(result, (bytes = Buffer.from(serializedResult(result, maskError))));
    return bytes;
  };

  const feedSettings: FeedSettings = {
    maxPending: options.maxPendingPerSubscriber ?? 256,
    tooSlowError: options.tooSlowError,
    executeShared,
    serialize,
    maskError,
    closed: (feed) => {
      if (feeds.get(feed.key) === feed) feeds.delete(feed.key);
    },
  };

  const sharedSubscribe = async (args: ExecutionArgs, fallback: (args: ExecutionArgs) => unknown) => {
    const authorization = options.authorizationKey(args.contextValue as Context);
    if (authorization === undefined) return fallback(args);
    // The subscriber's own subscribe resolver: authorization and argument checks happen here. It
    // sees a short-lived view of the context (same values, through the prototype), so what is
    // cached per context object during the check (Pothos' auth cache, ~1 KB) is not kept for the
    // life of the subscription; events are executed with the context of `args`.
    const stream = await createSourceEventStream({ ...args, contextValue: Object.create(args.contextValue as object) });
    if (!isAsyncIterable(stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const key = [documentId(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), authorization].join(
      '\u0000',
    );
    if (!sharesFeed(args.document, args.operationName, args.variableValues, channelArguments)) {
      return new OwnStreamSubscriber(source, key, args, executeShared);
    }
    let feed = feeds.get(key);
    if (feed && !feed.closed) {
      // Not started yet, so closing it registers no listener and reads nothing.
      void Promise.resolve(source.return?.()).catch(() => {});
    } else {
      feed = new Feed(key, source, args, feedSettings);
      feeds.set(key, feed);
    }
    const sink = options.directSink?.(args.contextValue as Context);
    if (!sink) return feed.join();
    feed.joinDirect(sink);
    return EMPTY_STREAM;
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => sharedSubscribe(args as ExecutionArgs, subscribeFn as (args: ExecutionArgs) => unknown) as never);
    },
  };
}

/**
 * Whether a subscription's root field gets non-null values only for channel arguments (then its
 * subscribers share one event stream). A transport may ask before it subscribes.
 */
export function sharesFeed(
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Record<string, unknown> | null | undefined,
  channelArguments: ReadonlySet<string>,
): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription') return false;
  const selections = operation.selectionSet.selections;
  if (selections.length !== 1 || selections[0]!.kind !== Kind.FIELD) return false;
  return (selections[0]!.arguments ?? []).every((argument) => {
    if (channelArguments.has(argument.name.value) || argument.value.kind === Kind.NULL) return true;
    return argument.value.kind === Kind.VARIABLE && variableValues?.[argument.value.name.value] == null;
  });
}

/**
 * What a direct sink's transport would send as a `next` payload, built the way graphql-ws builds
 * it: the result without `errors`, then the masked errors' JSON last when there are any.
 */
function serializedResult(result: ExecutionResult, maskError: (error: unknown) => Error): string {
  if (result.errors === undefined) return JSON.stringify(result);
  const { errors, ...rest } = result;
  return JSON.stringify({ ...rest, errors: errors.map((error) => toJSON(maskError(error))) });
}

function toJSON(error: Error): unknown {
  const withJSON = error as Error & { toJSON?: () => unknown };
  return typeof withJSON.toJSON === 'function' ? withJSON.toJSON() : { message: error.message };
}

/** What the subscribe call of a direct sink resolves to: a stream without events, for envelop to wrap and the transport to drop. */
const EMPTY_STREAM: AsyncGenerator<ExecutionResult, undefined> = {
  next: () => Promise.resolve({ value: undefined, done: true }),
  return: () => Promise.resolve({ value: undefined, done: true }),
  throw: (error: unknown) => Promise.reject(error),
  [Symbol.asyncIterator]() {
    return this;
  },
};

interface FeedSettings {
  maxPending: number;
  tooSlowError(limit: number): Error;
  executeShared: ExecuteShared;
  serialize(result: ExecutionResult): Buffer;
  maskError(error: unknown): Error;
  closed(feed: Feed): void;
}

/**
 * One source event stream and its subscribers. Pulls events while it has subscribers, gets each
 * one's result (in order; executed with the args of the subscriber that opened the feed) and hands
 * it to every subscriber: iterator subscribers get the result, direct sinks its bytes.
 */
class Feed implements FeedMembership {
  readonly members = new Set<FeedSubscriber>();
  readonly sinks = new Set<DirectResultSink>();
  closed = false;
  private pumping = false;

  constructor(
    readonly key: string,
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly settings: FeedSettings,
  ) {}

  join(): FeedSubscriber {
    const member = new FeedSubscriber(this, this.settings);
    this.members.add(member);
    this.start();
    return member;
  }

  joinDirect(sink: DirectResultSink): void {
    this.sinks.add(sink);
    sink.joined(this);
    this.start();
  }

  leave(member: FeedSubscriber | DirectResultSink): void {
    const left = member instanceof FeedSubscriber ? this.members.delete(member) : this.sinks.delete(member);
    if (!left || this.members.size + this.sinks.size > 0 || this.closed) return;
    this.close();
    void Promise.resolve(this.source.return?.()).catch(() => {});
  }

  private start(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    void this.pump();
  }

  private close(): void {
    this.closed = true;
    this.settings.closed(this);
  }

  private async pump(): Promise<void> {
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
        result = await this.settings.executeShared(event.value, this.key, this.args);
      } catch (error) {
        // execute() reports resolver errors in the result; a throw here is a bug or a bad schema.
        this.end(error);
        void Promise.resolve(this.source.return?.()).catch(() => {});
        return;
      }
      if (this.sinks.size > 0) {
        const bytes = this.settings.serialize(result);
        for (const sink of this.sinks) sink.next(bytes);
      }
      for (const member of this.members) member.deliver(result);
    }
  }

  private end(error: unknown): void {
    if (!this.closed) this.close();
    for (const member of this.members) member.finish(error);
    this.members.clear();
    if (this.sinks.size === 0) return;
    const sinks = [...this.sinks];
    this.sinks.clear();
    const masked = error === undefined ? undefined : this.settings.maskError(error);
    for (const sink of sinks) sink.end(masked);
  }
}

type Waiting = { resolve(result: IteratorResult<ExecutionResult, undefined>): void; reject(error: unknown): void };

/**
 * One iterator subscriber of a feed (SSE, or a transport without direct sinks): its results in
 * order, through a bounded backlog. Classes rather than closures here and below: these objects
 * live as long as the subscription, and under tsx (esbuild's keepNames) every named per-instance
 * closure also carries its own property dictionary.
 */
class FeedSubscriber implements AsyncGenerator<ExecutionResult, undefined> {
  private backlog: ExecutionResult[] | undefined;
  private waiting: Waiting | undefined;
  /** Set once the stream ended, with the error to report (undefined: done). */
  private ended: { error: unknown } | undefined;

  constructor(
    private readonly feed: Feed,
    private readonly settings: Pick<FeedSettings, 'maxPending' | 'tooSlowError'>,
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
    if (this.backlog.length >= this.settings.maxPending) {
      this.backlog = undefined;
      this.feed.leave(this);
      this.finish(this.settings.tooSlowError(this.settings.maxPending));
      return;
    }
    this.backlog.push(result);
  }

  /** Ends the stream after what is already queued: with `error`, or done when undefined. */
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
    if (this.backlog?.length === 0) this.backlog = undefined;
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

  private settle(waiting: Waiting): void {
    const error = this.ended?.error;
    if (error === undefined) waiting.resolve({ value: undefined, done: true });
    else {
      this.ended = { error: undefined }; // reported once, then done
      waiting.reject(error);
    }
  }
}

/** A subscriber with its own event stream (it asked for more than a channel): shared executions only. */
class OwnStreamSubscriber implements AsyncGenerator<ExecutionResult, undefined> {
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
      throw locate(error, this.args);
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

  private async closeSource(): Promise<void> {
    try {
      await this.source.return?.();
    } catch {
      // The source failed while closing; the error being reported wins.
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
