import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { CaseCounter, FUZZ_SEED, fuzzParameters, timeoutFor } from './fuzz-config';
import { encodeFrame, exchange, healthOnNewConnection, upgradeRequest, type FrameSpec, type RawExchange } from './raw-socket';

/**
 * Garbage on raw TCP connections, black-box (whatever HTTP layer serves the app): bad request
 * lines, bad percent-encoding and UTF-8, huge and broken headers, broken bodies, bad WebSocket
 * upgrades and frames, random bytes. Whatever arrives: no 5xx, and /health answers 200 on a new
 * connection after every case.
 */

const MAX_WS_PAYLOAD = 256 * 1024;

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const bytesOf = (text: string) => Buffer.from(text, 'latin1');

const badPercent = fc.constantFrom('%', '%Z', '%ZZ', '%G0', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF%FE', '%00', '%uD800', '%%', '%2', '%25ZZ');
const badUtf8 = fc.constantFrom('\xff', '\xfe\xff', '\xc3\x28', '\xe2\x28\xa1', '\xf0\x28\x8c\xbc', '\xc0\xaf', '\xed\xa0\x80', '\x80');

const segment = fc.oneof(
  fc.constantFrom('graphql', 'health', 'ready', 'overlay', 'assets', 'overlay.js', 'auth', 'twitch', 'callback', '', '.', '..', '%2e%2e', '%2F'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map(encodeURIComponent),
  badPercent,
  badUtf8,
  fc.uint8Array({ maxLength: 12 }).map(latin1),
);

const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.oneof(fc.constantFrom('key', 'code', 'state', 'query', 'variables', 'error'), segment), fc.oneof(segment, badPercent)), { maxLength: 4 }).map(
    (pairs) => `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`,
  ),
);

/** Request targets near the real routes, with hostile segments, prefixes and sizes. */
const target = fc.oneof(
  { arbitrary: fc.constantFrom('/', '//', '///graphql', '/graphql', '/health', '/overlay/x', '/overlay/assets/overlay.js', '/auth/twitch/callback', '*', 'http://evil.example/', 'http://[::1', ''), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('/', '//', '/overlay/', '/overlay/assets/', '/auth/twitch/', '/graphql/'), fc.array(segment, { maxLength: 4 }), query).map(([prefix, parts, rest]) => prefix + parts.join('/') + rest), weight: 6 },
  { arbitrary: fc.integer({ min: 2_000, max: 100_000 }).map((length) => `/overlay/${'a'.repeat(length)}`), weight: 1 },
);

const method = fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'get', 'G\x00T'), fc.string({ unit: 'grapheme-ascii', maxLength: 8 }));
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', 'HTTP/', '');

const headerName = fc.oneof(
  fc.constantFrom('Host', 'Content-Type', 'Content-Length', 'Transfer-Encoding', 'Authorization', 'X-Overlay-Key', 'Accept', 'Origin', 'Cookie', 'Upgrade', 'Connection', 'Expect'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
  badUtf8,
);
const headerValue = fc.oneof(
  fc.constantFrom('application/json', 'text/event-stream', 'multipart/form-data; boundary=x', `Bearer ${TEST_API_TOKEN}`, 'Bearer', 'chunked', 'gzip, chunked', '-1', '1e3', '99999999999999999999', '100-continue', 'websocket'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map(latin1),
  badUtf8,
  fc.integer({ min: 8_000, max: 80_000 }).map((length) => 'h'.repeat(length)),
);

const body = fc.oneof(
  fc.constant(''),
  fc.constantFrom('{', '{"query":', '{"query": 1}', '{"query":"{ __typename }"}', '[]', 'null', '{"query":"query { streamer(id: \\"\\u0000\\") { id } }"}', '{"query":"{__typename}","variables":"x"}', '{"query":"{__typename}","extensions":[]}'),
  fc.uint8Array({ maxLength: 200 }).map(latin1),
  fc.string({ unit: 'binary', maxLength: 100 }).map((text) => Buffer.from(text, 'utf8').toString('latin1')),
);

function assertNo5xx(result: RawExchange, sent: Buffer) {
  const bad = result.statuses.filter((status) => status >= 500);
  expect(bad, `sent ${JSON.stringify(sent.toString('latin1').slice(0, 400))}\ngot ${JSON.stringify(result.received.toString('latin1').slice(0, 400))}`).toEqual([]);
}

describe('fuzz: raw HTTP and WebSocket bytes', () => {
  let api: TestApp;
  const counter = new CaseCounter();
  let serverErrors = 0;

  beforeAll(async () => {
    console.info(`fuzz seed ${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED})`);
    api = await startTestApp();
  });
  afterAll(async () => {
    console.info(counter.report('raw-socket fuzzing') + `\n  5xx seen: ${serverErrors}`);
    await api?.stop();
  });

  /** Sends one case, checks its answers and that the server still serves /health afterwards. */
  async function check(name: string, chunks: Buffer[], options: Parameters<typeof exchange>[2] = {}) {
    counter.count(name);
    const sent = Buffer.concat(chunks);
    const result = await exchange(api.port, chunks, options);
    if (result.statuses.some((status) => status >= 500)) serverErrors += 1;
    assertNo5xx(result, sent);
    expect(await healthOnNewConnection(api.port), `after ${JSON.stringify(sent.toString('latin1').slice(0, 200))}`).toBe(200);
  }

  it(
    'request lines: bad methods, targets, percent-encoding, UTF-8, versions',
    async () => {
      await fc.assert(
        fc.asyncProperty(method, target, version, async (verb, path, http) => {
          await check('request lines', [bytesOf(`${verb} ${path} ${http}\r\nHost: 127.0.0.1\r\n\r\n`)]);
        }),
        fuzzParameters(500),
      );
    },
    timeoutFor(500),
  );

  it(
    'headers: hostile names and values, huge, many, conflicting lengths',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET /health', 'POST /graphql', 'GET /graphql?query=%7B__typename%7D', 'GET /overlay/x?key=y', 'GET /auth/twitch/callback?code=a&state=b'),
          fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
          fc.integer({ min: 0, max: 300 }),
          body,
          async (line, headers, extraHeaders, payload) => {
            const lines = headers.map(([name, value]) => `${name}: ${value}`);
            for (let index = 0; index < extraHeaders; index += 1) lines.push(`X-Filler-${index}: ${index}`);
            await check('headers', [bytesOf(`${line} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join('\r\n')}\r\n\r\n${payload}`)]);
          },
        ),
        fuzzParameters(500),
      );
    },
    timeoutFor(500),
  );

  it(
    'POST /graphql bodies: broken JSON, lying lengths, broken chunked encoding',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.constantFrom('application/json', 'application/graphql+json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=zz', ''),
          fc.constantFrom('exact', 'short', 'long', 'chunked', 'bad-chunked', 'none'),
          async (payload, contentType, framing) => {
            const bytes = bytesOf(payload);
            const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_API_TOKEN}\r\n${contentType ? `Content-Type: ${contentType}\r\n` : ''}`;
            const framed: Record<string, string> = {
              exact: `${head}Content-Length: ${bytes.length}\r\n\r\n${payload}`,
              short: `${head}Content-Length: ${Math.max(0, bytes.length - 3)}\r\n\r\n${payload}`,
              long: `${head}Content-Length: ${bytes.length + 10}\r\n\r\n${payload}`,
              chunked: `${head}Transfer-Encoding: chunked\r\n\r\n${bytes.length.toString(16)}\r\n${payload}\r\n0\r\n\r\n`,
              'bad-chunked': `${head}Transfer-Encoding: chunked\r\n\r\nzz${bytes.length}\r\n${payload}\r\n`,
              none: `${head}\r\n${payload}`,
            };
            await check('graphql bodies', [bytesOf(framed[framing]!)]);
          },
        ),
        fuzzParameters(500),
      );
    },
    timeoutFor(500),
  );

  it(
    'random bytes, alone or after a valid request line',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('', 'GET / HTTP/1.1\r\n', 'POST /graphql HTTP/1.1\r\nContent-Length: 5\r\n\r\n', 'GET /graphql HTTP/1.1\r\nUpgrade: websocket\r\n'), fc.uint8Array({ minLength: 1, maxLength: 512 }), async (prefix, bytes) => {
          await check('random bytes', [Buffer.concat([bytesOf(prefix), Buffer.from(bytes)])]);
        }),
        fuzzParameters(400),
      );
    },
    timeoutFor(400),
  );

  it(
    'WebSocket upgrades: missing or invalid key, wrong version, protocol, path, method',
    async () => {
      const maybe = (value: fc.Arbitrary<string>) => fc.oneof(value, fc.constant(null));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/graphql', '/graphql?x=%ZZ', '/health', '/overlay/x', '/', '/nope'),
          fc.record(
            {
              'Sec-WebSocket-Key': maybe(fc.oneof(fc.constantFrom('', 'short', '!!!!', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ==='), fc.base64String({ maxLength: 40 }), fc.string({ unit: 'grapheme-ascii' }))),
              'Sec-WebSocket-Version': maybe(fc.constantFrom('13', '8', '0', '14', '', '13, 8', 'x', '99999999999999999999')),
              'Sec-WebSocket-Protocol': maybe(fc.constantFrom('graphql-transport-ws', 'graphql-ws', '', 'x, y', '\xff')),
              Upgrade: maybe(fc.constantFrom('websocket', 'WebSocket', 'h2c', '', 'websocket, websocket')),
              Connection: maybe(fc.constantFrom('Upgrade', 'upgrade, keep-alive', 'close', '')),
              Origin: maybe(fc.constantFrom('http://127.0.0.1', 'http://evil.example', 'null', '\xff\xfe')),
              'Sec-WebSocket-Extensions': maybe(fc.constantFrom('permessage-deflate', 'permessage-deflate; client_max_window_bits=99', 'x-unknown', ';;')),
            },
            { requiredKeys: [] },
          ),
          async (path, overrides) => {
            await check('websocket upgrades', [upgradeRequest(path, overrides)], { timeoutMs: 800 });
          },
        ),
        fuzzParameters(400),
      );
    },
    timeoutFor(400),
  );

  const frame: fc.Arbitrary<FrameSpec> = fc.oneof(
    // Reserved and data opcodes, RSV bits, masked or not, fragmented or not.
    fc.record({
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
      opcode: fc.integer({ min: 0, max: 15 }),
      masked: fc.boolean(),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
        fc.constantFrom('{"type":"connection_init"}', '{"type":"subscribe","id":"1","payload":{"query":"subscription { winnerDrawn(streamerId: \\"\\u0000\\") { id } }"}}', '{"type":"ping"}', '{', '\xff\xfe').map((text) => Buffer.from(text, 'latin1')),
      ),
    }),
    // Lengths that lie: beyond the max payload, 64-bit with the top bit set, shorter than sent.
    fc.record({
      fin: fc.constant(true),
      rsv: fc.constant(0),
      opcode: fc.constantFrom(1, 2, 8, 9, 10),
      masked: fc.constant(true),
      payload: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      declaredLength: fc.oneof(
        fc.constantFrom(MAX_WS_PAYLOAD + 1, 2 ** 31, 2n ** 63n, 2n ** 64n - 1n, 0, 126, 65_535, 65_536),
        fc.integer({ min: 0, max: 2 ** 32 }),
      ),
      lengthForm: fc.constantFrom(7 as const, 16 as const, 64 as const),
    }),
  );

  it(
    'WebSocket frames after a valid handshake: reserved opcodes, unmasked, bad lengths, control frames too long',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.boolean(), fc.array(frame, { minLength: 1, maxLength: 4 }), async (init, frames) => {
          const chunks = [upgradeRequest()];
          if (init) chunks.push(encodeFrame({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_API_TOKEN}` } })) }));
          chunks.push(...frames.map(encodeFrame));
          await check('websocket frames', chunks, { settleMs: 5, timeoutMs: 800 });
        }),
        fuzzParameters(400),
      );
    },
    timeoutFor(400),
  );

  it(
    'WebSocket frames larger than the 256 KiB max payload are refused',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: MAX_WS_PAYLOAD + 1, max: MAX_WS_PAYLOAD + 64 * 1024 }), fc.constantFrom(1, 2), fc.boolean(), async (size, opcode, fragmented) => {
          const payload = Buffer.alloc(size, 0x61);
          const frames = fragmented
            ? [encodeFrame({ fin: false, rsv: 0, opcode, masked: true, payload: payload.subarray(0, size >> 1) }), encodeFrame({ fin: true, rsv: 0, opcode: 0, masked: true, payload: payload.subarray(size >> 1) })]
            : [encodeFrame({ fin: true, rsv: 0, opcode, masked: true, payload })];
          const result = await exchange(api.port, [upgradeRequest(), ...frames], { timeoutMs: 2_000, end: false });
          counter.count('oversized websocket frames');
          assertNo5xx(result, upgradeRequest());
          // The server answers 101, then closes the connection (1009 message too big).
          expect(result.statuses).toEqual([101]);
          expect(result.closedByServer).toBe(true);
          expect(await healthOnNewConnection(api.port)).toBe(200);
        }),
        fuzzParameters(40),
      );
    },
    timeoutFor(40, 500),
  );

  // The node:http layer throws on these in its request listener (an uncaught exception: a real
  // process exits); the Fastify layer answers 4xx. Random targets above find them too.
  it('known crashers of the node:http layer answer a 4xx: GET //, GET /overlay/%ZZ, GET http://[::1', async () => {
    for (const line of ['GET // HTTP/1.1', 'GET /overlay/%ZZ HTTP/1.1', 'GET /overlay/%E0%A4%A?key=x HTTP/1.1', 'GET http://[::1 HTTP/1.1']) {
      counter.count('known crashers');
      const result = await exchange(api.port, [bytesOf(`${line}\r\nHost: 127.0.0.1\r\n\r\n`)], { end: false, timeoutMs: 2_000 });
      expect(result.statuses, `${line} got ${JSON.stringify(result.received.toString('latin1').slice(0, 200))}`).toHaveLength(1);
      expect(result.statuses[0]).toBeGreaterThanOrEqual(400);
      expect(result.statuses[0]).toBeLessThan(500);
      expect(await healthOnNewConnection(api.port)).toBe(200);
    }
  });
});
