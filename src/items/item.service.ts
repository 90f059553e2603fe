import type { Db } from '../db/database';
import { NotFoundError, ValidationError, type FieldProblem } from '../errors/domain-errors';
import type { Item } from '../generated/prisma/client';
import { itemProblems, type ItemFields } from './item-rules';
import { parseItemText } from './item-text.parser';

export interface ItemInput {
  name: string;
  weight: number;
  stock?: number | null;
}

export interface ItemPatch {
  name?: string | null;
  weight?: number | null;
  stock?: number | null;
}

export class ItemService {
  constructor(private readonly db: Db) {}

  /** All or nothing: one bad entry rejects the whole batch with a problem per entry. */
  async addItems(streamerId: string, inputs: ItemInput[], pathRoot = 'items'): Promise<Item[]> {
    const items = inputs.map((input) => ({ name: input.name.trim(), weight: input.weight, stock: input.stock ?? 1 }));
    const problems = items.flatMap((item, index) => itemProblems(item, [pathRoot, String(index)]));
    if (items.length === 0) problems.push({ path: [pathRoot], message: 'give at least one item' });
    if (items.length > 500) problems.push({ path: [pathRoot], message: 'at most 500 items at once' });
    if (problems.length > 0) throw new ValidationError(problems);
    return this.insert(streamerId, items, items.map((_, index) => [pathRoot, String(index)]));
  }

  async addItemsFromText(streamerId: string, text: string): Promise<Item[]> {
    if (text.length > 4000) throw new ValidationError([{ path: ['text'], message: 'text must be at most 4000 characters' }]);
    const parsed = parseItemText(text);
    const paths = parsed.items.map((item) => ['text', String(item.entry)]);
    const problems = [
      ...parsed.problems,
      ...parsed.items.flatMap((item, index) =>
        itemProblems(item, paths[index]!).map((problem) => ({
          path: paths[index]!,
          message: `"${item.name}": ${problem.message}`,
        })),
      ),
      ...duplicateProblems(parsed.items, paths),
    ].sort((a, b) => Number(a.path[1]) - Number(b.path[1]));
    if (problems.length > 0) throw new ValidationError(problems);
    return this.insert(streamerId, parsed.items.map(({ entry: _entry, ...item }) => item), paths);
  }

  async updateItem(id: string, patch: ItemPatch): Promise<Item> {
    const fields = {
      name: patch.name?.trim() ?? undefined,
      weight: patch.weight ?? undefined,
      stock: patch.stock ?? undefined,
    };
    const problems = itemProblems(fields, ['patch']);
    if (problems.length > 0) throw new ValidationError(problems);
    return this.db.$transaction(async (tx) => {
      // Row lock: a round taking a copy of this item waits, so `remaining` stays consistent.
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM items WHERE id = ${id} AND removed_at IS NULL FOR UPDATE`;
      if (locked.length === 0) throw new NotFoundError('Item', id);
      const current = await tx.item.findUniqueOrThrow({ where: { id } });
      if (fields.name && (await this.nameTaken(tx, current.streamerId, fields.name, id))) {
        throw new ValidationError([{ path: ['patch', 'name'], message: `an item named "${fields.name}" already exists` }]);
      }
      const won = current.stock - current.remaining;
      const stock = fields.stock ?? current.stock;
      if (stock < won) {
        throw new ValidationError([
          { path: ['patch', 'stock'], message: `stock cannot be lower than the ${won} already won` },
        ]);
      }
      return tx.item.update({
        where: { id },
        data: { name: fields.name, weight: fields.weight, stock, remaining: stock - won },
      });
    });
  }

  /** Removed items leave the draw but stay in history (rounds keep pointing at them). */
  async removeItem(id: string): Promise<Item> {
    const result = await this.db.item.updateMany({ where: { id, removedAt: null }, data: { removedAt: new Date() } });
    if (result.count === 0) throw new NotFoundError('Item', id);
    return this.db.item.findUniqueOrThrow({ where: { id } });
  }

  async remainingStock(streamerId: string): Promise<number> {
    const result = await this.db.item.aggregate({
      where: { streamerId, removedAt: null },
      _sum: { remaining: true },
    });
    return result._sum.remaining ?? 0;
  }

  /** `paths[i]` names item i in problems (['items', '0'] for a list, ['text', '3'] for typed text). */
  private async insert(streamerId: string, items: ItemFields[], paths: string[][]): Promise<Item[]> {
    const problems = duplicateProblems(items, paths);
    if (problems.length > 0) throw new ValidationError(problems);
    const indexByName = new Map(items.map((item, index) => [item.name.toLowerCase(), index]));
    return this.db.$transaction(async (tx) => {
      const streamer = await tx.streamer.findUnique({ where: { id: streamerId }, select: { id: true } });
      if (!streamer) throw new NotFoundError('Streamer', streamerId);
      const existing = await tx.item.findMany({
        where: { streamerId, removedAt: null, name: { in: items.map((item) => item.name), mode: 'insensitive' } },
        select: { name: true },
      });
      for (const { name } of existing) {
        const index = indexByName.get(name.toLowerCase())!;
        problems.push({ path: paths[index]!, message: `an item named "${name}" already exists` });
      }
      if (problems.length > 0) throw new ValidationError(problems);
      return tx.item.createManyAndReturn({
        data: items.map((item) => ({ streamerId, ...item, remaining: item.stock })),
      });
    });
  }

  private async nameTaken(tx: Pick<Db, 'item'>, streamerId: string, name: string, exceptId: string): Promise<boolean> {
    const clash = await tx.item.findFirst({
      where: { streamerId, removedAt: null, id: { not: exceptId }, name: { equals: name, mode: 'insensitive' } },
      select: { id: true },
    });
    return clash !== null;
  }
}

function duplicateProblems(items: ItemFields[], paths: string[][]): FieldProblem[] {
  const seen = new Set<string>();
  return items.flatMap((item, index) => {
    const key = item.name.trim().toLowerCase();
    if (seen.has(key)) return [{ path: paths[index]!, message: `"${item.name}" is listed twice` }];
    seen.add(key);
    return [];
  });
}
