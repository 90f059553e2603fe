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
 * Serialized once (`serializedSink`): a transport whose `next` message differs between subscribers
 * only by the subscription id (graphql-ws) can hand each feed subscriber a sink. A feed then
 * serializes an event's result once (`JSON.stringify` of the result, as the transport would) and
 * passes the same bytes to every sink; nothing is yielded through the subscriber's iterator, so no
 * per-subscriber promise, envelop result hook or `JSON.stringify` runs. Results that carry
 * `errors` still go through the iterator (envelop's masking applies to them), and a subscriber's
 * later results wait behind them, so its order is unchanged. This assumes no envelop plugin
 * changes error-free subscription results (true here: yoga's masking only touches `errors`).
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
  /** Where a feed subscriber's error-free results go as serialized bytes; `undefined`: its iterator. */
  serializedSink?(context: Context): SerializedResultSink | undefined;
}

/** Takes a subscriber's results already serialized: the UTF-8 of `JSON.stringify(result)`. */
export interface SerializedResultSink {
  next(serializedResult: Buffer): void;
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

  /** result → its JSON bytes, made once for every sink of every feed that delivers it */
  const serializations = new WeakMap<ExecutionResult, Buffer>();
  const serialize = (result: ExecutionResult) => {
    let bytes = serializations.get(result);
    if (!bytes) serializations.set(result, (bytes = Buffer.from(JSON.stringify(result))));
    return bytes;
  };

  const feedSettings: FeedSettings = {
    maxPending: options.maxPendingPerSubscriber ?? 256,
    tooSlowError: options.tooSlowError,
    executeShared,
    serialize,
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
    if (!onlyChannelArguments(args, channelArguments)) return new OwnStreamSubscriber(source, key, args, executeShared);
    const sink = options.serializedSink?.(args.contextValue as Context);
    const existing = feeds.get(key);
    if (existing && !existing.closed) {
      // Not started yet, so closing it registers no listener and reads nothing.
      void Promise.resolve(source.return?.()).catch(() => {});
      return existing.join(sink);
    }
    const feed = new Feed(key, source, args, feedSettings);
    feeds.set(key, feed);
    return feed.join(sink);
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => sharedSubscribe(args as ExecutionArgs, subscribeFn as (args: ExecutionArgs) => unknown) as never);
    },
  };
}

/** Whether the root field gets non-null values only for channel arguments. */
function onlyChannelArguments(args: ExecutionArgs, channelArguments: ReadonlySet<string>): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  const selections = operation?.selectionSet.selections ?? [];
  if (selections.length !== 1 || selections[0]!.kind !== Kind.FIELD) return false;
  return (selections[0]!.arguments ?? []).every((argument) => {
    if (channelArguments.has(argument.name.value) || argument.value.kind === Kind.NULL) return true;
    return argument.value.kind === Kind.VARIABLE && args.variableValues?.[argument.value.name.value] == null;
  });
}

interface FeedSettings {
  maxPending: number;
  tooSlowError(limit: number): Error;
  executeShared: ExecuteShared;
  serialize(result: ExecutionResult): Buffer;
  closed(feed: Feed): void;
}

/**
 * One source event stream and its subscribers. Pulls events while it has subscribers, gets each
 * one's result (in order; executed with the args of the subscriber that opened the feed) and hands
 * it to every subscriber.
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

  join(sink: SerializedResultSink | undefined): FeedSubscriber {
    const member = new FeedSubscriber(this, this.settings, sink);
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
      for (const member of this.members) member.deliver(result);
    }
  }

  private end(error: unknown): void {
    if (!this.closed) this.close();
    for (const member of this.members) member.finish(error);
    this.members.clear();
  }
}

type Waiting = { resolve(result: IteratorResult<ExecutionResult, undefined>): void; reject(error: unknown): void };

/**
 * One subscriber of a feed: its results in order, through a bounded backlog. Classes rather than
 * closures here and below: these objects live as long as the subscription, and under tsx
 * (esbuild's keepNames) every named per-instance closure also carries its own property dictionary.
 *
 * With a sink, error-free results are written to it at once, unless a result went out through the
 * iterator and its consumer has not asked for the next one yet (`handedOut`): then they queue in
 * the backlog and are written, in order, when it asks.
 */
class FeedSubscriber implements AsyncGenerator<ExecutionResult, undefined> {
  private backlog: ExecutionResult[] | undefined;
  private waiting: Waiting | undefined;
  /** Set once the stream ended, with the error to report (undefined: done). */
  private ended: { error: unknown } | undefined;
  /** A result was yielded through the iterator and the consumer is still handling it. */
  private handedOut = false;

  constructor(
    private readonly feed: Feed,
    private readonly settings: Pick<FeedSettings, 'maxPending' | 'tooSlowError' | 'serialize'>,
    private readonly sink: SerializedResultSink | undefined,
  ) {}

  deliver(result: ExecutionResult): void {
    if (this.ended) return;
    if (this.sink && !this.handedOut && this.backlog === undefined && result.errors === undefined) {
      this.sink.next(this.settings.serialize(result));
      return;
    }
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      if (this.sink) this.handedOut = true;
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
    this.handedOut = false;
    if (this.sink) this.writeQueued();
    const queued = this.backlog?.shift();
    if (this.backlog?.length === 0) this.backlog = undefined;
    if (queued) {
      if (this.sink) this.handedOut = true;
      return Promise.resolve({ value: queued, done: false });
    }
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

  /** Writes the queued error-free results up to the first one with errors (that one is yielded). */
  private writeQueued(): void {
    const backlog = this.backlog;
    if (!backlog) return;
    let written = 0;
    while (written < backlog.length && backlog[written]!.errors === undefined) {
      this.sink!.next(this.settings.serialize(backlog[written]!));
      written += 1;
    }
    backlog.splice(0, written);
    if (backlog.length === 0) this.backlog = undefined;
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
