import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { anonymousPrincipal, type Principal } from '../auth/principal';
import type { PrincipalResolver } from '../auth/principal-resolver';
import type { OfflineGraphiQL } from './graphiql';
import type { LiveConnections, Slot } from './live-connections';
import type { GraphQLServer } from './yoga';

export interface GraphQLRouteDeps {
  principals: PrincipalResolver;
  live: LiveConnections;
}

/**
 * `/graphql` over HTTP: yoga's Fastify integration, one route for GET, POST and OPTIONS that hands
 * Fastify's request and reply to yoga (GraphQL over HTTP, SSE by Accept, GraphiQL for browsers).
 * graphql-ws on the same path is the server's `upgrade` (graphql-ws.ts).
 *
 * Inside this plugin yoga reads every body itself (JSON, application/graphql, forms), so GraphQL
 * over HTTP semantics stay yoga's; Fastify only collects the bytes, which is where the app's
 * bodyLimit applies (413 before yoga sees anything).
 *
 * SSE requests (`Accept: text/event-stream`) count against the live-connection caps (per address,
 * per overlay key: 429 with a GraphQL-style error body beyond them), and a stream opened with an
 * overlay key ends when that key is rotated on any instance.
 */
export function graphqlRoutes(yoga: GraphQLServer, graphiql: OfflineGraphiQL, deps: GraphQLRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.route({
      url: yoga.graphqlEndpoint,
      method: ['GET', 'POST', 'OPTIONS'],
      handler: async (req, reply) => {
        if (req.method === 'POST' && isEmpty(req.body)) return badRequest(reply, 'The POST body is empty: send the GraphQL request (query, variables) as JSON');
        if (wantsEventStream(req)) return serveEventStream(req, reply, yoga, deps);
        const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
        const contentType = response.headers.get('content-type') ?? '';
        if (contentType.startsWith('text/html')) reply.helmet(graphiql.security());
        return completeBody(contentType) ? sendComplete(reply, response) : response;
      },
    });
  };
}

/**
 * A single result (JSON) or a page: one body yoga already holds as a string. Fastify would send
 * a Response's body as a web stream (a stream made from the string, read chunk by chunk); sent as
 * the string it is one write. Incremental delivery (multipart, SSE) stays a stream.
 */
function completeBody(contentType: string): boolean {
  return contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json') || contentType.startsWith('text/html');
}

async function sendComplete(reply: FastifyReply, response: Response) {
  reply.code(response.status);
  for (const [name, value] of response.headers) if (name !== 'set-cookie') reply.header(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return reply.send(await response.text());
}

function wantsEventStream(req: FastifyRequest): boolean {
  return req.method !== 'OPTIONS' && (req.headers.accept ?? '').includes('text/event-stream');
}

async function serveEventStream(req: FastifyRequest, reply: FastifyReply, yoga: GraphQLServer, { principals, live }: GraphQLRouteDeps) {
  const slots: Slot[] = [];
  const releaseAll = () => slots.splice(0).forEach((slot) => slot.release());
  // Freed when the client goes away, whatever happens below.
  reply.raw.once('close', releaseAll);

  const addressSlot = live.admitAddress(req.socket.remoteAddress);
  if (!addressSlot) {
    req.log.warn({ limit: live.limits.maxPerAddress }, 'SSE refused: too many live connections from one address');
    return tooMany(reply, `Too many live connections from this address (at most ${live.limits.maxPerAddress})`);
  }
  slots.push(addressSlot);

  const since = live.mark();
  let principal: Principal = await principals.fromHeaders(req.headers);
  let cut: (() => void) | undefined;
  let cutEarly = false;
  if (principal.kind === 'overlay') {
    const { streamerId } = principal;
    const admission = live.admitOverlay(
      streamerId,
      since,
      () => (cut ? cut() : (cutEarly = true)),
      async () => {
        const now = await principals.fromHeaders(req.headers);
        return now.kind === 'overlay' && now.streamerId === streamerId;
      },
    );
    if (!admission.ok && admission.reason === 'full') {
      req.log.warn({ streamerId: principal.streamerId, limit: live.limits.maxPerOverlayKey }, 'SSE refused: too many for one overlay key');
      releaseAll();
      return tooMany(reply, `Too many live connections for this overlay key (at most ${live.limits.maxPerOverlayKey})`);
    }
    // Rotated while its key was being looked up: the key it sent is the old one.
    if (!admission.ok) principal = anonymousPrincipal(true);
    else slots.push(admission.slot);
  }
  if (reply.raw.destroyed) releaseAll();

  const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply, principal });
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    releaseAll();
    return response;
  }
  const stream = cuttable(response.body, releaseAll);
  cut = stream.cut;
  if (cutEarly) stream.cut();
  return new Response(stream.body, { status: response.status, headers: response.headers });
}

/** The stream as yoga sends it, which `cut()` ends (and returns yoga's subscription) at once. */
function cuttable(source: ReadableStream<Uint8Array>, onEnd: () => void) {
  const reader = source.getReader();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
    try {
      controller.close();
    } catch {
      // already closed or errored
    }
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    pull: async (c) => {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (ended) return;
      if (done) end();
      else c.enqueue(value);
    },
    cancel: async (reason) => {
      end();
      await reader.cancel(reason).catch(() => {});
    },
  });
  return {
    body,
    cut: () => {
      end();
      reader.cancel('overlay key rotated').catch(() => {});
    },
  };
}

/**
 * Fastify has read the body by then; handed no bytes, yoga's fetch adapter would wait on the
 * spent request stream for a body that never comes.
 */
function isEmpty(body: unknown): boolean {
  return body == null || (Buffer.isBuffer(body) && body.length === 0);
}

function badRequest(reply: FastifyReply, message: string) {
  return reply
    .code(400)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

function tooMany(reply: FastifyReply, message: string) {
  return reply
    .code(429)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code: 'TOO_MANY_CONNECTIONS' } }] });
}
