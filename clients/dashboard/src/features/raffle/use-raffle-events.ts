import { useEffect, useRef } from 'react';
import { stringifyDocument } from 'urql';
import { useApi } from '../../app/api-context';
import type { ResultOf } from '../../graphql/graphql';
import { RaffleEventsSubscription } from './raffle.documents';

export type RaffleEvent = ResultOf<typeof RaffleEventsSubscription>['raffleEvents'];

const QUERY = stringifyDocument(RaffleEventsSubscription);

/**
 * Subscribes to the streamer's raffle events over graphql-ws, from `startAfterRoundId` (the
 * newest round when the page loaded). graphql-ws sends the same payload again on every
 * reconnect: its `variables` getter gives the last round id seen, so a resumed subscription
 * replays the rounds missed while offline (the hook dedupes by id anyway).
 */
export function useRaffleEvents(streamerId: string, startAfterRoundId: string | null | undefined, ready: boolean, onEvent: (event: RaffleEvent) => void) {
  const { ws } = useApi();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!ready) return;
    let lastRoundId = startAfterRoundId ?? null;
    const seen = new Set<string>();
    const payload = {
      query: QUERY,
      get variables() {
        return { streamerId, afterRoundId: lastRoundId };
      },
    };
    const unsubscribe = ws.subscribe<ResultOf<typeof RaffleEventsSubscription>>(payload, {
      next(result) {
        const event = result.data?.raffleEvents;
        if (!event) return;
        if (event.round) {
          if (seen.has(event.round.id)) return;
          seen.add(event.round.id);
          lastRoundId = event.round.id;
        }
        handler.current(event);
      },
      error: () => undefined,
      complete: () => undefined,
    });
    return unsubscribe;
  }, [ws, streamerId, startAfterRoundId, ready]);
}
