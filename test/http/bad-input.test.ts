import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { rawRequest } from './raw-http';

/**
 * Malformed HTTP on raw sockets: each request gets a 4xx (or its connection is closed), and the
 * process keeps serving: the next request, on a new connection, gets 200 from /health.
 */
describe('malformed HTTP gets a 4xx and the server keeps serving', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  const get = (target: string | Buffer) =>
    Buffer.concat([Buffer.from('GET '), Buffer.from(target), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')]);

  async function expectStillServing() {
    const health = await rawRequest(api.port, get('/health'));
    expect(health.status).toBe(200);
    expect(health.text).toContain('"status":"ok"');
  }

  function expectRefused(answer: { status: number | undefined; text: string }) {
    // A 4xx status, or no status at all when the server just closed the connection.
    if (answer.status !== undefined) {
      expect(answer.status, answer.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
    } else {
      expect(answer.text).toBe('');
    }
  }

  it.each([
    ['a bad percent escape in a path parameter', get('/overlay/%ZZ')],
    ['a percent-encoded invalid UTF-8 sequence', get('/overlay/%C3%28')],
    ['raw invalid UTF-8 bytes in the path', get(Buffer.from([0x2f, 0x6f, 0x76, 0x65, 0x72, 0x6c, 0x61, 0x79, 0x2f, 0xff, 0xfe, 0xc3]))],
    ['raw invalid UTF-8 bytes in the GraphQL query string', get(Buffer.concat([Buffer.from('/graphql?query='), Buffer.from([0xff, 0xc3, 0x28])]))],
    ['a double slash', get('//')],
    ['a 100 KB request line', get(`/${'a'.repeat(100 * 1024)}`)],
    ['a header line without a colon', 'GET /health HTTP/1.1\r\nHost: localhost\r\nthis line has no colon\r\nConnection: close\r\n\r\n'],
    ['an overlay asset named after an Object property', get('/overlay/assets/constructor')],
    ['an overlay asset named __proto__', get('/overlay/assets/__proto__')],
    ['a path that climbs out of the assets', get('/overlay/assets/..%2f..%2fpackage.json')],
  ])('%s', async (_label, head) => {
    expectRefused(await rawRequest(api.port, head));
    await expectStillServing();
  });

  it('a 5 MB body announced by Content-Length: 413 without the server reading it', async () => {
    const head =
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${5 * 1024 * 1024}\r\nConnection: close\r\n\r\n`;
    // Only the head is sent: the answer cannot depend on reading the body.
    const answer = await rawRequest(api.port, head);
    expect(answer.status, answer.text.slice(0, 300)).toBe(413);
    expect(answer.text).toMatch(/too large/i);
    await expectStillServing();
  });

  it.each([
    ['/graphql', 'application/json'],
    ['/graphql', 'application/graphql'],
    ['/health', 'application/json'],
  ])('a 24 MB chunked body to %s (%s): 413 once past the limit', async (path, contentType) => {
    const head = `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const answer = await rawRequest(api.port, head, { body: { chunk: Buffer.alloc(64 * 1024, 0x61), count: 24 * 16, chunked: true } });
    expect(answer.status, answer.text.slice(0, 300)).toBe(413);
    // The server answered long before the 24 MB were written.
    expect(answer.bodyBytesSent).toBeLessThan(24 * 1024 * 1024);
    await expectStillServing();
  });
});
