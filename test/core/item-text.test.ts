import { describe, expect, it } from 'vitest';
import { parseItemText } from '../../src/items/item-text.parser';

describe('parseItemText', () => {
  it('reads name:weight and name:weight:stock separated by commas or lines', () => {
    expect(parseItemText('golden skin:50, silver skin:30:2\nbronze: 5 ')).toEqual({
      items: [
        { name: 'golden skin', weight: 50, stock: 1, entry: 1 },
        { name: 'silver skin', weight: 30, stock: 2, entry: 2 },
        { name: 'bronze', weight: 5, stock: 1, entry: 3 },
      ],
      problems: [],
    });
  });

  it('keeps colons inside names by reading numbers from the right', () => {
    expect(parseItemText('key: tier 1:10').items).toEqual([{ name: 'key: tier 1', weight: 10, stock: 1, entry: 1 }]);
  });

  it('reports each malformed entry with its position', () => {
    const { items, problems } = parseItemText('ok:1, nocolon, :5, sword:1.5, axe:ten');
    expect(items).toEqual([{ name: 'ok', weight: 1, stock: 1, entry: 1 }]);
    expect(problems.map((problem) => problem.path)).toEqual([
      ['text', '2'],
      ['text', '3'],
      ['text', '4'],
      ['text', '5'],
    ]);
    expect(problems[0]!.message).toContain('nocolon');
  });

  it('rejects empty text', () => {
    expect(parseItemText(' , ,').problems).toHaveLength(1);
  });
});
