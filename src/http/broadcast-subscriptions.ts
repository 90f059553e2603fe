import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { MessageType, parseMessage, stringifyMessage, type SubscribePayload } from 'graphql-ws';
import type { Principal } from '../auth/principal';
import type { DirectResultSink, FeedMembership } from '../graphql/plugins/shared-subscription-execution';
import { sharesChannelFeed, type DirectSinkContext } from '../graphql/subscription-sharing';
import type { GraphQLServer } from './yoga';

/** What this module reads and writes of a graphql-ws session (graphql-ws' own context object). */
export interface BroadcastSession {
  readonly acknowledged: boolean;
  /** The operations graphql-ws runs, by id (replaced by an empty object when the socket closes). */
  subscriptions: Record<string, unknown>;
}

/** The socket side (graphql-ws-connection.ts). */
export interface BroadcastConnection {
  readonly session?: BroadcastSession;
  readonly principal?: Principal;
  /** Writes a frame now (or closes a socket whose client does not read); never waits. */
  sendNow(frame: string | Buffer): void;
  /** Hands a message to graphql-ws' own handling. */
  pass(text: string): void;
  /** Handling a message failed: logged, the socket closes with 4500 (as graphql-ws does). */
  fail(error: unknown): void;
}

/**
 * graphql-ws subscriptions whose subscribers share one feed (the root field gets only channel
 * arguments, as the contract's WinnerDrawn), served without graphql-ws' per-subscription machinery.
 *
 * Stock graphql-ws keeps, for every subscription, its message handler suspended in a `for await`
 * over the subscription's iterator, with the subscribe message (query text included), three
 * `emit` closures and the execution arguments; envelop wraps that iterator in two more for error
 * masking. With thousands of overlays on a streamer that was most of the memory per subscription.
 * Here a subscribe message that qualifies becomes one small BroadcastSubscription, registered in
 * graphql-ws' own session (`subscriptions[id]`), so graphql-ws' state machine still owns the rest:
 * `complete` from the client and the socket's close call its `return()`, a second subscribe with
 * its id closes with 4409, connection_init, ping/pong and every other operation are graphql-ws'.
 *
 * The subscribe itself is yoga's (envelop's `subscribe`, every plugin's hook): parsed and validated
 * through the enveloped parser (its cache hands out one document per query text), the cost and
 * NUL checks, and the field's authorization for this subscriber. The shared-subscription plugin
 * then joins it to its feed as a direct sink (DirectSinkContext): each event's result is
 * serialized once per group, errors masked by yoga's masking, and written here as
 * `{"id":<id>,"type":"next","payload":<bytes>}`, what graphql-ws would send. A refusal (an
 * unauthorized streamer, a limit) answers as graphql-ws answers a single result: `next` with the
 * masked errors, then `complete`. The stream's end: `complete`, or `error` for a failure.
 *
 * Anything else (not acknowledged yet, a duplicate id, over the per-socket limit, a syntax or
 * validation error, a query, a subscription with its own stream such as `afterRoundId`) is left
 * to graphql-ws' own path, which answers it as before.
 */
export class BroadcastSubscriptions {
  constructor(
    private readonly yoga: GraphQLServer,
    private readonly maxPerSocket: number,
  ) {}

  /** Takes `text` if it is a subscribe message for a shared feed; false: graphql-ws handles it. */
  take(connection: BroadcastConnection, text: string): boolean {
    const { session, principal } = connection;
    if (!session?.acknowledged || !principal || !text.includes('"subscribe"')) return false;
    let message;
    try {
      message = parseMessage(text);
    } catch {
      return false; // graphql-ws closes with 4400
    }
    if (message.type !== MessageType.Subscribe) return false;
    const { id, payload } = message;
    if (id in session.subscriptions || Object.keys(session.subscriptions).length >= this.maxPerSocket) return false;
    const subscription = new BroadcastSubscription(id, connection);
    const initial: DirectSinkContext & { principal: Principal; params: SubscribePayload } = { principal, params: payload, broadcastSink: subscription };
    const enveloped = this.yoga.getEnveloped(initial);
    let document: DocumentNode;
    try {
      document = enveloped.parse(payload.query);
    } catch {
      return false;
    }
    if (!sharesChannelFeed(document, payload.operationName, payload.variables)) return false;
    if (enveloped.validate(enveloped.schema, document).length > 0) return false;
    session.subscriptions[id] = subscription;
    start(subscription, enveloped, document, payload, text).catch((error: unknown) => connection.fail(error));
    return true;
  }
}

type Enveloped = ReturnType<GraphQLServer['getEnveloped']>;

async function start(subscription: BroadcastSubscription, enveloped: Enveloped, document: DocumentNode, payload: SubscribePayload, text: string) {
  const { schema, contextFactory, subscribe } = enveloped;
  const contextValue = (await contextFactory()) as DirectSinkContext;
  let result: unknown;
  try {
    result = await subscribe({ schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue });
  } finally {
    // A feed keeps the context of the subscriber that opened it, not this subscription's sink.
    contextValue.broadcastSink = undefined;
  }
  if (subscription.hasJoined) return; // results come to it from the feed now
  if (isAsyncIterable(result)) {
    // Not a shared feed after all (the plugin decided otherwise): graphql-ws' own path serves it.
    void Promise.resolve((result as AsyncGenerator).return?.(undefined)).catch(() => {});
    subscription.handOver(text);
    return;
  }
  subscription.single(result as ExecutionResult);
}

const FRAME_ID = Buffer.from('{"id":');
const FRAME_PAYLOAD = Buffer.from(',"type":"next","payload":');
const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * One subscription of a shared feed on one socket: its id and where its frames go. Registered in
 * graphql-ws' `subscriptions` under its id, it writes nothing once it is no longer there (the
 * client completed it, or the socket closed).
 */
class BroadcastSubscription implements DirectResultSink {
  private feed: FeedMembership | undefined;
  /** The id as JSON when it needs escaping; usually undefined (the id is written between quotes). */
  private readonly escapedId: string | undefined;

  constructor(
    private readonly id: string,
    private readonly connection: BroadcastConnection,
  ) {
    const json = JSON.stringify(id);
    // The same string as graphql-ws' session key, so a plain id costs nothing more here.
    if (json.length !== id.length + 2 || !/^[\x20-\x7e]*$/.test(id)) this.escapedId = json;
  }

  get hasJoined(): boolean {
    return this.feed !== undefined;
  }

  private get registered(): boolean {
    return this.connection.session?.subscriptions[this.id] === this;
  }

  joined(feed: FeedMembership): void {
    this.feed = feed;
    // Completed (or the socket closed) while it was being authorized.
    if (!this.registered) feed.leave(this);
  }

  /** `{"id":<id>,"type":"next","payload":` + the result + `}`: graphql-ws' bytes, one allocation. */
  next(serializedResult: Buffer): void {
    if (!this.registered) return;
    const id = this.escapedId ?? this.id;
    const quotes = this.escapedId === undefined ? 2 : 0;
    const idBytes = this.escapedId === undefined ? id.length : Buffer.byteLength(id); // plain ids are ASCII
    const frame = Buffer.allocUnsafe(FRAME_ID.length + quotes + idBytes + FRAME_PAYLOAD.length + serializedResult.length + 1);
    let at = FRAME_ID.copy(frame, 0);
    if (quotes) frame[at++] = 0x22; // "
    at += frame.write(id, at, 'utf8');
    if (quotes) frame[at++] = 0x22;
    at += FRAME_PAYLOAD.copy(frame, at);
    at += serializedResult.copy(frame, at);
    frame[at] = 0x7d; // }
    this.connection.sendNow(frame);
  }

  end(error: Error | undefined): void {
    if (!this.unregister()) return;
    if (error === undefined) {
      this.connection.sendNow(stringifyMessage({ id: this.id, type: MessageType.Complete }));
      return;
    }
    // As graphql-ws reports an iterator that throws: the (masked) error's message, no complete after.
    const reported = new GraphQLError(error.message, { originalError: error });
    this.connection.sendNow(stringifyMessage({ id: this.id, type: MessageType.Error, payload: [reported.toJSON()] }));
  }

  /** A subscribe answered with one result (a refusal): `next` with it, then `complete`. */
  single(result: ExecutionResult): void {
    if (!this.unregister()) return;
    const { errors, ...withoutErrors } = result;
    const payload = { ...withoutErrors, ...(errors ? { errors: errors.map((error) => error.toJSON()) } : {}) };
    this.connection.sendNow(stringifyMessage({ id: this.id, type: MessageType.Next, payload }));
    this.connection.sendNow(stringifyMessage({ id: this.id, type: MessageType.Complete }));
  }

  /** Gives the subscribe message to graphql-ws instead (unless it was completed meanwhile). */
  handOver(text: string): void {
    if (this.unregister()) this.connection.pass(text);
  }

  /** graphql-ws: the client completed it or the socket closed. */
  return(): Promise<IteratorReturnResult<undefined>> {
    this.feed?.leave(this);
    return Promise.resolve(DONE);
  }

  /** graphql-ws calls `return()` on what it holds that is an async iterable. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  private unregister(): boolean {
    if (!this.registered) return false;
    delete this.connection.session!.subscriptions[this.id];
    return true;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
