import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { EventBus } from '../pubsub/event-bus';

/**
 * The live connections of this instance (graphql-ws sockets and SSE streams): caps per client
 * address and per overlay key, and the cut of every connection of a streamer's overlay when its
 * key is rotated on ANY instance (the `overlayKeyRotated` topic, on Redis when configured).
 *
 * A connection authenticated a moment before the rotation event arrived could slip through: its
 * key was looked up before the rotation committed but it registers after the event was handled.
 * So callers take `mark()` before looking the key up, and `admitOverlay` refuses a connection of
 * a streamer whose rotation arrived after that mark.
 */
export interface LiveConnections {
  /** Taken before resolving a credential; handed to `admitOverlay`. */
  mark(): number;
  /** A slot for one more connection from `address`, or undefined when it already has the maximum. */
  admitAddress(address: string | undefined): Slot | undefined;
  /**
   * Registers a connection of `streamerId`'s overlay; `cut` is called once if its key is rotated.
   * `stillValid` re-checks its key after the bus was interrupted (rotations published meanwhile
   * were lost): a key no longer valid is cut then. Both may come as one object (an
   * OverlayConnection, no closures per connection).
   */
  admitOverlay(streamerId: string, since: number, cut: (() => void) | OverlayConnection, stillValid?: () => Promise<boolean>): OverlayAdmission;
  /** Cuts this instance's connections of that streamer's overlay now (the bus calls it). */
  rotated(streamerId: string): number;
  readonly limits: Config['liveConnections'];
  /** Listens for rotations published by any instance; resolves once the listener is live. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface Slot {
  /** Frees the slot; calling it again does nothing. A method: pass `() => slot.release()`. */
  release(): void;
}

/** A slot of one address: its count in `perAddress`. Classes: one lives per live connection. */
class AddressSlot implements Slot {
  private done = false;
  constructor(
    private readonly perAddress: Map<string, number>,
    private readonly key: string,
  ) {}

  release(): void {
    if (this.done) return;
    this.done = true;
    const left = (this.perAddress.get(this.key) ?? 1) - 1;
    if (left > 0) this.perAddress.set(this.key, left);
    else this.perAddress.delete(this.key);
  }
}

/** A live overlay connection, as the rotation cut sees it (methods, called on the object). */
export interface OverlayConnection {
  cut(): void;
  stillValid?(): Promise<boolean>;
}

type Entry = OverlayConnection;

/** A slot of one overlay connection: its entry in the streamer's set. */
class OverlaySlot implements Slot {
  private done = false;
  constructor(
    private readonly perStreamer: Map<string, Set<Entry>>,
    private readonly streamerId: string,
    private readonly owner: Set<Entry>,
    private readonly entry: Entry,
  ) {}

  release(): void {
    if (this.done) return;
    this.done = true;
    this.owner.delete(this.entry);
    if (this.owner.size === 0 && this.perStreamer.get(this.streamerId) === this.owner) this.perStreamer.delete(this.streamerId);
  }
}

export type OverlayAdmission = { ok: true; slot: Slot } | { ok: false; reason: 'rotated' | 'full' };

/** graphql-ws close code for a socket whose overlay key was rotated (graphql-ws' Forbidden). */
export const KEY_ROTATED_CLOSE_CODE = 4403;
/** graphql-ws close code for a socket over the per-key cap (after connection_init). */
export const TOO_MANY_CONNECTIONS_CLOSE_CODE = 4429;

/** How long a rotation is remembered for connections whose key look-up was already under way. */
const ROTATION_MEMORY_MS = 60_000;
export function createLiveConnections(options: { limits: Config['liveConnections']; events: EventBus; logger: Logger }): LiveConnections {
  const { limits, events } = options;
  const logger = options.logger.child({ subsystem: 'live-connections' });
  const perAddress = new Map<string, number>();
  const perStreamer = new Map<string, Set<Entry>>();
  const rotatedAt = new Map<string, number>();
  let subscription: AsyncIterableIterator<{ streamerId: string }> | undefined;
  let closed = false;
  let stopResync: (() => void) | undefined;

  function cutOne(entry: Entry) {
    try {
      entry.cut();
    } catch (error) {
      logger.error({ err: error }, 'cutting a connection failed');
    }
  }

  /** After the bus was interrupted: every overlay connection re-checks its key. */
  async function recheck() {
    const checks = [...perStreamer].flatMap(([streamerId, entries]) => [...entries].map((entry) => ({ streamerId, entry })));
    let cut = 0;
    for (const { streamerId, entry } of checks) {
      const valid = await (entry.stillValid?.() ?? Promise.resolve(true)).catch(() => true);
      if (valid || !perStreamer.get(streamerId)?.delete(entry)) continue;
      if (perStreamer.get(streamerId)?.size === 0) perStreamer.delete(streamerId);
      cut += 1;
      cutOne(entry);
    }
    if (cut > 0) logger.info({ connections: cut }, 'cut overlay connections whose key was rotated while pub/sub was interrupted');
  }

  function rotated(streamerId: string): number {
    const now = performance.now();
    for (const [id, at] of rotatedAt) if (now - at > ROTATION_MEMORY_MS) rotatedAt.delete(id);
    rotatedAt.set(streamerId, now);
    const cuts = perStreamer.get(streamerId);
    perStreamer.delete(streamerId);
    for (const entry of cuts ?? []) cutOne(entry);
    if (cuts?.size) logger.info({ streamerId, connections: cuts.size }, 'overlay key rotated: cut its live connections');
    return cuts?.size ?? 0;
  }

  async function listen(iterator: AsyncIterableIterator<{ streamerId: string }>) {
    for (;;) {
      const result = await iterator.next();
      if (result.done || closed) return;
      rotated(result.value.streamerId);
    }
  }

  return {
    limits,
    mark: () => performance.now(),
    admitAddress(address) {
      const key = address ?? 'unknown';
      const count = perAddress.get(key) ?? 0;
      if (count >= limits.maxPerAddress) return undefined;
      perAddress.set(key, count + 1);
      return new AddressSlot(perAddress, key);
    },
    admitOverlay(streamerId, since, cut, stillValid) {
      const at = rotatedAt.get(streamerId);
      if (at !== undefined && at >= since) return { ok: false, reason: 'rotated' };
      let cuts = perStreamer.get(streamerId);
      if ((cuts?.size ?? 0) >= limits.maxPerOverlayKey) return { ok: false, reason: 'full' };
      if (!cuts) perStreamer.set(streamerId, (cuts = new Set()));
      const entry: Entry = typeof cut === 'function' ? { cut, stillValid } : cut;
      cuts.add(entry);
      return { ok: true, slot: new OverlaySlot(perStreamer, streamerId, cuts, entry) };
    },
    rotated,
    async start() {
      stopResync = events.onResync(() => {
        recheck().catch((error: unknown) => logger.error({ err: error }, 're-checking overlay keys failed'));
      });
      subscription = events.subscribe('overlayKeyRotated', 'all');
      void listen(subscription).catch((error: unknown) => {
        if (!closed) logger.error({ err: error }, 'overlay key rotation listener ended; rotations no longer cut connections');
      });
      // Live once Redis has answered the SUBSCRIBE: rotations on other instances reach us from here on.
      await events.whenLive();
    },
    async close() {
      closed = true;
      stopResync?.();
      await subscription?.return?.();
    },
  };
}
