import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLiveConnections } from '../../src/http/live-connections';
import { createEventBus, type EventBus } from '../../src/pubsub/event-bus';

const logger = pino({ level: 'silent' });

async function registry(limits = { maxPerOverlayKey: 2, maxPerAddress: 2 }) {
  const events = createEventBus(undefined, logger);
  const live = createLiveConnections({ limits, events, logger });
  await live.start();
  return { events, live };
}

describe('live connections (in-process bus)', () => {
  it('cuts every connection of the rotated streamer, and only those, when the event is published', async () => {
    const { events, live } = await registry();
    const cut: string[] = [];
    expect(live.admitOverlay('s1', live.mark(), () => cut.push('s1-a')).ok).toBe(true);
    expect(live.admitOverlay('s1', live.mark(), () => cut.push('s1-b')).ok).toBe(true);
    expect(live.admitOverlay('s2', live.mark(), () => cut.push('s2')).ok).toBe(true);
    events.publish('overlayKeyRotated', 'all', { streamerId: 's1' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cut.sort()).toEqual(['s1-a', 's1-b']);
    // The cut freed s1's slots: two new connections fit again.
    expect(live.admitOverlay('s1', live.mark(), () => {}).ok).toBe(true);
    await live.close();
  });

  it('refuses a connection whose key was looked up before a rotation that arrived meanwhile', async () => {
    const { live } = await registry();
    const since = live.mark();
    live.rotated('s1');
    expect(live.admitOverlay('s1', since, () => {})).toEqual({ ok: false, reason: 'rotated' });
    // Looked up after the rotation arrived: the key it sent is the new one.
    expect(live.admitOverlay('s1', live.mark(), () => {}).ok).toBe(true);
    await live.close();
  });

  it('counts per key and per address, and a released slot is free again (released twice counts once)', async () => {
    const { live } = await registry();
    const first = live.admitOverlay('s1', live.mark(), () => {});
    live.admitOverlay('s1', live.mark(), () => {});
    expect(live.admitOverlay('s1', live.mark(), () => {})).toEqual({ ok: false, reason: 'full' });
    if (!first.ok) throw new Error('first admission refused');
    first.slot.release();
    first.slot.release();
    expect(live.admitOverlay('s1', live.mark(), () => {}).ok).toBe(true);
    expect(live.admitOverlay('s1', live.mark(), () => {}).ok).toBe(false);

    const a = live.admitAddress('10.0.0.1');
    expect(live.admitAddress('10.0.0.1')).toBeDefined();
    expect(live.admitAddress('10.0.0.1')).toBeUndefined();
    expect(live.admitAddress('10.0.0.2')).toBeDefined();
    a!.release();
    a!.release();
    expect(live.admitAddress('10.0.0.1')).toBeDefined();
    expect(live.admitAddress('10.0.0.1')).toBeUndefined();
    await live.close();
  });

  it('after the bus was interrupted (resync), re-checks every overlay key and cuts those no longer valid', async () => {
    const inner = createEventBus(undefined, logger);
    let resync: (() => void) | undefined;
    const events: EventBus = { ...inner, onResync: (listener) => ((resync = listener), () => (resync = undefined)) };
    const live = createLiveConnections({ limits: { maxPerOverlayKey: 5, maxPerAddress: 5 }, events, logger });
    await live.start();
    const cut: string[] = [];
    live.admitOverlay('s1', live.mark(), () => cut.push('rotated-meanwhile'), async () => false);
    live.admitOverlay('s1', live.mark(), () => cut.push('still-valid'), async () => true);
    expect(resync).toBeDefined();
    resync!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cut).toEqual(['rotated-meanwhile']);
    await live.close();
    expect(resync).toBeUndefined();
  });
});
