import { Repeater } from '@graphql-yoga/subscription';
import type { Logger } from 'pino';
import type { EventBus } from './event-bus';

/** Where a subscription finds, in the database, the events it may have missed. */
export interface CatchUpSource<T> {
  /** The newest id that exists now: the subscription starts after it (the client catches up on older ones itself). */
  latestId(): Promise<number>;
  /** Events with an id above `afterId`, oldest first, at most `limit`. */
  after(afterId: number, limit: number): Promise<T[]>;
  /** The event's id (a round id), or null for events that are not replayed or deduplicated. */
  idOf(event: T): number | null;
}

const PAGE = 100;
const REMEMBERED_IDS = 2_048;

/**
 * Live events plus, after every pub/sub interruption (EventBus.onResync), the events the
 * database holds with an id above the last one delivered; ids delivered twice (a late live event,
 * a re-sent publish) are dropped. So a subscriber with an open socket misses nothing when Redis
 * restarts. On the in-process bus there are no interruptions and the live stream is returned as is.
 */
export function withCatchUp<T>(
  bus: EventBus,
  live: AsyncIterableIterator<T>,
  source: CatchUpSource<T>,
  logger: Logger,
): AsyncIterableIterator<T> {
  if (bus.kind === 'in-process') return live;
  return new Repeater<T>(async (push, stop) => {
    const seen = new RecentIds(REMEMBERED_IDS);
    let lastId = 0;
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
    const baseline = source.latestId().then(
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
          if (!(await baseline)) return;
          for (let page = 0; !stopped && page < 50; page += 1) {
            const missed = await source.after(lastId, PAGE);
            for (const event of missed) await deliver(event);
            if (missed.length < PAGE) break;
          }
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'catch-up after a pub/sub interruption failed'));
    });
    void stop.then(() => {
      stopped = true;
      offResync();
      void live.return?.();
    });
    try {
      for await (const event of live) {
        if (stopped) break;
        await deliver(event);
      }
      await stop();
    } catch (error) {
      await stop(error);
    } finally {
      offResync();
    }
  });
}

/** The last `capacity` ids seen, for deduplication. */
class RecentIds {
  private readonly ids = new Set<number>();
  constructor(private readonly capacity: number) {}

  has(id: number): boolean {
    return this.ids.has(id);
  }

  add(id: number): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as number;
      this.ids.delete(oldest);
    }
  }
}
