import type { FieldProblem } from '../errors/domain-errors';
import type { ItemFields } from './item-rules';

export interface ParsedItemText {
  /** Well-formed entries, each with its position in the text (from 1). */
  items: Array<ItemFields & { entry: number }>;
  problems: FieldProblem[];
}

/**
 * Parses what a streamer types in Discord: `name:weight` or `name:weight:stock`, entries separated
 * by commas or new lines. Names may contain colons (the numbers are read from the right). Each bad
 * entry becomes a problem with path ['text', '<entry number from 1>'].
 */
export function parseItemText(text: string): ParsedItemText {
  const entries = text.split(/[,\n;]/).map((entry) => entry.trim()).filter((entry) => entry !== '');
  const items: ParsedItemText['items'] = [];
  const problems: FieldProblem[] = [];
  if (entries.length === 0) {
    problems.push({ path: ['text'], message: 'no items given: write name:weight, for example "golden skin:50"' });
  }
  entries.forEach((entry, index) => {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      problems.push({ path: ['text', String(index + 1)], message: `"${entry}": ${parsed}` });
    } else {
      items.push({ ...parsed, entry: index + 1 });
    }
  });
  return { items, problems };
}

function parseEntry(entry: string): ItemFields | string {
  const parts = entry.split(':');
  if (parts.length < 2) return 'expected name:weight or name:weight:stock';
  const numbers: number[] = [];
  while (parts.length > 1 && numbers.length < 2 && /^[+-]?\d+$/.test(parts[parts.length - 1]!.trim())) {
    numbers.unshift(Number(parts.pop()!.trim()));
  }
  if (numbers.length === 0) return 'the weight must be a whole number';
  const name = parts.join(':').trim();
  if (name === '') return 'the name is missing';
  const [weight, stock = 1] = numbers as [number, number?];
  return { name, weight, stock };
}
