import { Repeater } from '@graphql-yoga/subscription';
import type { Logger } from 'pino';
import type { EventBus } from './event-bus';

/** Where a subscription finds, in the database, the events it may have missed. */
export interface CatchUpSource<T> {
  /** The newest id that exists now: without a starting id, the subscription starts after it. */
  latestId(): Promise<number>;
  /** Events with an id above `afterId`, oldest first, at most `limit`. */
  after(afterId: number, limit: number): Promise<T[]>;
  /** The event's id (a round id), or null for events that are not replayed or deduplicated. */
  idOf(event: T): number | null;
}

export interface CatchUpOptions {
  /**
   * The last id the client saw. The subscription then begins with every event after it (from the
   * database, looked up once the live subscription is active), then goes on live: nothing can
   * fall between a client's catch-up and its subscription.
   */
  afterId?: number;
}

const PAGE = 100;
/** A starting id further back than this many events replays only the oldest ones; use roundsSince. */
export const MAX_INITIAL_REPLAY = 1_000;
const MAX_RESYNC_REPLAY = 5_000;
const REMEMBERED_IDS = 2_048;

/**
 * Live events plus what the database holds that the live stream could not deliver:
 * - with `afterId`, the events after it, replayed first (once the live subscription is active);
 * - after every pub/sub interruption (EventBus.onResync), the events with an id above the last one
 *   delivered, so a subscriber with an open socket misses nothing when Redis restarts.
 * Ids delivered twice (a late live event, a re-sent publish, a replayed one) are dropped. On the
 * in-process bus without `afterId` there is nothing to add and the live stream is returned as is.
 */
export function withCatchUp<T>(
  bus: EventBus,
  live: AsyncIterableIterator<T>,
  source: CatchUpSource<T>,
  logger: Logger,
  options: CatchUpOptions = {},
): AsyncIterableIterator<T> {
  const { afterId } = options;
  if (bus.kind === 'in-process' && afterId === undefined) return live;
  return new Repeater<T>(async (push, stop) => {
    const seen = new RecentIds(REMEMBERED_IDS);
    let lastId = afterId ?? 0;
    let stopped = false;
    const deliver = async (event: T) => {
      const id = source.idOf(event);
      if (id !== null) {
        if (seen.has(id)) return;
        seen.add(id);
        if (id > lastId) lastId = id;
      }
      await push(event);
    };
    const replay = async (maxEvents: number) => {
      for (let replayed = 0; !stopped && replayed < maxEvents; ) {
        const missed = await source.after(lastId, PAGE);
        for (const event of missed) await deliver(event);
        replayed += missed.length;
        if (missed.length < PAGE) break;
      }
    };

    // Registers the live listener (on Redis: sends SUBSCRIBE) before anything is looked up.
    const first = live.next();
    first.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"

    const baseline: Promise<boolean> =
      afterId !== undefined
        ? Promise.resolve(true)
        : source.latestId().then(
            (id) => {
              lastId = Math.max(lastId, id);
              return true;
            },
            (error: unknown) => {
              logger.warn({ err: error }, 'could not read where this subscription starts; it will not catch up by itself');
              return false;
            },
          );
    let catchingUp: Promise<void> = Promise.resolve();
    const offResync = bus.onResync(() => {
      catchingUp = catchingUp
        .then(async () => {
          if (await baseline) await replay(MAX_RESYNC_REPLAY);
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'catch-up after a pub/sub interruption failed'));
    });
    void stop.then(() => {
      stopped = true;
      offResync();
      void live.return?.();
    });

    try {
      if (afterId !== undefined) {
        await bus.whenLive();
        catchingUp = catchingUp.then(() => replay(MAX_INITIAL_REPLAY));
        await catchingUp; // live events wait (bounded by the bus) until the replay is out
      }
      for (let next = await first; !next.done && !stopped; next = await live.next()) {
        await deliver(next.value);
      }
      stop();
    } catch (error) {
      stop(error);
    } finally {
      offResync();
    }
  });
}

/** The last `capacity` ids seen, for deduplication. */
class RecentIds {
  private ids: Set<number> | undefined;
  constructor(private readonly capacity: number) {}

  has(id: number): boolean {
    return this.ids?.has(id) ?? false;
  }

  add(id: number): void {
    this.ids ??= new Set();
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as number;
      this.ids.delete(oldest);
    }
  }
}
