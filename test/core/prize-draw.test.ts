import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareUtf8 } from '../../src/fairness/bytes';
import { pickByRunningSum } from '../../src/fairness/derivation';
import { drawPrize } from '../../src/raffles/prize-draw';
import { addItems, createStreamer } from '../support/factories';
import { CHI_SQUARE_CRITICAL_P001, chiSquare, seededRandom } from '../support/seeded-random';
import { startTestApp, type TestApp } from '../support/test-app';

const WEIGHTS = [1, 4, 10, 25, 60];

describe('make_raffle: the weighted prize draw in PostgreSQL', () => {
  let api: TestApp;
  let streamerId: string;
  let itemIds: string[];

  beforeAll(async () => {
    api = await startTestApp();
    streamerId = (await createStreamer(api.url)).id;
    const items = await addItems(api.url, streamerId, WEIGHTS.map((weight, index) => ({ name: `prize ${index}`, weight, stock: 5 })));
    itemIds = items.map((item) => item.id);
  });
  afterAll(() => api?.stop());

  async function countDraws(targets: number[]): Promise<number[]> {
    const rows = await api.services.db.$queryRaw<{ item_id: string; n: bigint }[]>`
      SELECT m.item_id, count(*) AS n
      FROM unnest(${targets}::bigint[]) AS t(v), LATERAL make_raffle(${streamerId}, t.v) m
      GROUP BY m.item_id`;
    const byId = new Map(rows.map((row) => [row.item_id, Number(row.n)]));
    return itemIds.map((id) => byId.get(id) ?? 0);
  }

  it('draws each prize with probability weight / total (χ² over 20 000 seeded targets t, p > 0.001)', async () => {
    const random = seededRandom(20261125);
    const total = WEIGHTS.reduce((sum, weight) => sum + weight, 0);
    const counts = await countDraws(Array.from({ length: 20_000 }, () => Math.floor(random.uniform() * total)));
    const statistic = chiSquare(counts, WEIGHTS.map((weight) => weight / total));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(20_000);
    expect(statistic).toBeLessThan(CHI_SQUARE_CRITICAL_P001[WEIGHTS.length - 1]!);
  });

  it('would catch the biased ORDER BY random() * weight method (the same test fails for it)', async () => {
    const rows = await api.services.db.$queryRaw<{ id: string; n: bigint }[]>`
      SELECT picked.id, count(*) AS n FROM generate_series(1, 20000) g,
      LATERAL (SELECT i.id FROM items i WHERE i.streamer_id = ${streamerId} AND g.g > 0
               ORDER BY random() * i.weight DESC LIMIT 1) picked
      GROUP BY picked.id`;
    const byId = new Map(rows.map((row) => [row.id, Number(row.n)]));
    const total = WEIGHTS.reduce((sum, weight) => sum + weight, 0);
    const statistic = chiSquare(itemIds.map((id) => byId.get(id) ?? 0), WEIGHTS.map((weight) => weight / total));
    expect(statistic).toBeGreaterThan(CHI_SQUARE_CRITICAL_P001[WEIGHTS.length - 1]!);
  });

  it('maps the target t onto the cumulative sums exactly, in id order, as the derivation does', async () => {
    const total = WEIGHTS.reduce((sum, weight) => sum + weight, 0);
    const items = itemIds.map((id, index) => ({ id, weight: WEIGHTS[index]! }));
    const sorted = [...items].sort((a, b) => compareUtf8(a.id, b.id));
    let cumulative = 0;
    for (const item of sorted) {
      // The item's first and last unit of weight, exactly: integers leave no rounding.
      const first = cumulative;
      cumulative += item.weight;
      const last = cumulative - 1;
      for (const t of [first, last]) {
        expect((await drawPrize(api.services.db, streamerId, t))?.itemId).toBe(item.id);
        expect(pickByRunningSum(sorted, (entry) => entry.weight, t).id).toBe(item.id);
      }
    }
    expect(await drawPrize(api.services.db, streamerId, 0)).toMatchObject({ totalWeight: total });
  });

  it('skips items without copies left and removed items, and returns nothing when none are left', async () => {
    const other = (await createStreamer(api.url)).id;
    const [spent, removed, live] = await addItems(api.url, other, [
      { name: 'spent', weight: 50 },
      { name: 'removed', weight: 50 },
      { name: 'live', weight: 1 },
    ]);
    await api.services.db.item.update({ where: { id: spent!.id }, data: { remaining: 0 } });
    await api.services.db.item.update({ where: { id: removed!.id }, data: { removedAt: new Date() } });
    expect(await drawPrize(api.services.db, other, 0)).toEqual({ itemId: live!.id, itemWeight: 1, totalWeight: 1 });
    await api.services.db.item.update({ where: { id: live!.id }, data: { remaining: 0 } });
    expect(await drawPrize(api.services.db, other, 0)).toBeNull();
  });

  it('refuses a target outside [0, total weight)', async () => {
    const total = WEIGHTS.reduce((sum, weight) => sum + weight, 0);
    await expect(drawPrize(api.services.db, streamerId, total)).rejects.toThrow(/target must be in \[0, 100\)/);
    await expect(drawPrize(api.services.db, streamerId, -1)).rejects.toThrow(/target must be in/);
  });
});
