/**
 * Whole-word, case-insensitive keyword matching that knows Unicode: "sorteio" matches
 * "quero o SORTEIO!" but not "sorteios"; "çá" matches "ÇÁ". A word boundary is any character that
 * is not a letter, mark, number or connector (\p{L}\p{M}\p{N}\p{Pc}), so keywords such as
 * "!entrar" work too.
 */
const WORD_CHAR = String.raw`[\p{L}\p{M}\p{N}\p{Pc}]`;

const NON_ASCII = /[^\x00-\x7f]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function keywordMatcher(keyword: string): (text: string) => boolean {
  const normalized = keyword.normalize('NFC');
  const pattern = new RegExp(`(?<!${WORD_CHAR})${escapeRegExp(normalized)}(?!${WORD_CHAR})`, 'iu');
  // Fast path first: most chat lines do not contain the keyword at all.
  // (Only for ASCII text and keyword, where toLowerCase and the regex's case folding agree.)
  const folded = normalized.toLowerCase();
  const asciiKeyword = !NON_ASCII.test(normalized);
  return (text) => {
    if (asciiKeyword && !NON_ASCII.test(text) && !text.toLowerCase().includes(folded)) return false;
    return pattern.test(text.normalize('NFC'));
  };
}
