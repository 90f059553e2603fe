import fc from 'fast-check';

/**
 * Hostile inputs for GraphQL arguments. Each `*Arg` mixes values of the right type (unicode,
 * huge, empty, control characters, edges of the range) with values of the wrong type, so a
 * property exercises the resolver and GraphQL's own coercion alike.
 */

const nasty = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\b\t\n\r\u001b[31m',
  '\uD800',
  '\uDFFF\uD800',
  '\uFEFF',
  '\u202Eevil',
  '𝓚𝓲𝓷𝓸',
  '🎁'.repeat(50),
  'é'.normalize('NFD'),
  "' OR 1=1 --",
  '"; DROP TABLE items; --',
  '%00',
  '%ZZ',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  ' 12 ',
  '١٢٣',
] as const;

/** Any string a client could send: unicode, control characters, lone surrogates, huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...nasty), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((code) => String.fromCharCode(code)), maxLength: 20 }), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'é', '🎁', '\u0000', ':', ','), fc.oneof({ arbitrary: fc.integer({ min: 101, max: 20_000 }), weight: 19 }, { arbitrary: fc.constant(120_000), weight: 1 }))
      .map(([unit, count]) => unit.repeat(count)),
    weight: 1,
  },
);

/** Numbers at and beyond the edges of GraphQL Int, floats where Int is meant, numeric strings. */
export const hostileNumber: fc.Arbitrary<number | string> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e308,
    0.5,
    1.5,
    0.1 + 0.2,
    1 - Number.EPSILON,
    1 + Number.EPSILON,
    86_400,
    86_401,
    1_000_000,
    1_000_001,
    100_000,
    100_001,
  ),
  fc.integer(),
  fc.integer({ min: -5, max: 600 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  // NaN and ±Infinity have no JSON form: JSON.stringify sends them as null.
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.constantFrom('1', '1.5', 'NaN', '1e3', '', '9007199254740993'),
);

/** IDs that do not exist or are not what the column holds. */
export function hostileId(known: () => string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constant(null).chain(() => fc.constantFrom(...(known().length > 0 ? known() : ['none']))), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        '99999999999999999999999',
        '9223372036854775808',
        '2147483648',
        '2147483647',
        '-1',
        '0',
        '1',
        '00000000-0000-0000-0000-000000000000',
        '1.5',
        '1e3',
        ' 1',
        '+1',
      ),
      weight: 3,
    },
    { arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String), weight: 2 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: hostileString, weight: 3 },
    // GraphQL's ID accepts Int input; larger or fractional numbers must be refused by coercion.
    { arbitrary: fc.oneof(fc.integer(), fc.constantFrom(2 ** 53, 1.5, -0)), weight: 1 },
  );
}

/** Values of any JSON type, for wrong-type variables. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, [], {}, [null], { id: '1' }),
);

/** Right type most of the time, wrong type or null otherwise; `undefined` omits the variable. */
export function orWrong<T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: right, weight: 6 },
    { arbitrary: anyJson, weight: 2 },
    { arbitrary: fc.constantFrom(null, undefined), weight: 1 },
  );
}

export const hostileBoolean = orWrong(fc.boolean());

/** Discord snowflakes, near misses and garbage. */
export const hostileSnowflake: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 26n }).map(String),
  fc.constantFrom('12345', '1234', '1'.repeat(25), '1'.repeat(26), '０１２３４５'),
  hostileString,
);

/** Cursors of Relay connections: Pothos's base64 format, broken base64, garbage. */
export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.base64String({ maxLength: 40 }),
  fc
    .tuple(fc.constantFrom('OC:', 'GPC:', 'S:', 'N:', 'D:', 'J:', 'GPC:N:', 'GPC:S:', 'GPC:J:'), hostileString)
    .map(([prefix, rest]) => Buffer.from(prefix + rest).toString('base64')),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((value) => Buffer.from(`GPC:N:${value}`).toString('base64')),
);
