/**
 * A fleet of graphql-ws subscribers in one process, speaking the graphql-transport-ws protocol
 * directly (connection_init → connection_ack → subscribe), so thousands of sockets cost little on
 * the client side. Each `next` message is time-stamped on arrival (shared monotonic clock) and
 * filed under the round id it carries; the orchestrator turns stamps into latencies.
 */
import WebSocket from 'ws';
import { nowMs, serveRpc } from '../lib/rpc';

export interface FleetSpec {
  /** Fleet name: `app` or `floor`; a worker can hold both. */
  fleet: string;
  /** Socket i connects to urls[i % urls.length]. */
  urls: string[];
  count: number;
  query: string;
  variables: Record<string, unknown>;
  /** connectionParams of socket i: paramsCycle[i % paramsCycle.length]. */
  paramsCycle: Array<Record<string, unknown>>;
  concurrency: number;
  /** false: stop after the connection ack (to weigh a bare graphql-ws connection). */
  subscribe?: boolean;
}

interface Fleet {
  sockets: WebSocket[];
  /** round id → arrival stamps */
  arrivals: Map<string, number[]>;
  errors: string[];
  unexpectedCloses: number;
  /** `code reason` of the first unexpected closes (why the server ended a socket). */
  closes: string[];
  /** The raw text of the first `next` message (to replay the same bytes from the floor servers). */
  sample: string | undefined;
}

const fleets = new Map<string, Fleet>();
const ROUND_ID = /"winnerDrawn":\{"id":"([^"]+)"/;

function open(spec: FleetSpec, index: number, fleet: Fleet): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.urls[index % spec.urls.length]!, 'graphql-transport-ws', { perMessageDeflate: false });
    let subscribed = false;
    const fail = (error: Error) => {
      if (!subscribed) reject(error);
    };
    socket.once('error', fail);
    // The upgrade answered with an HTTP status instead of 101 (origin refused, too many connections).
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => fail(new Error(`upgrade refused: HTTP ${response.statusCode} ${body.slice(0, 200)}`)));
      response.on('error', () => fail(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
    });
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: spec.paramsCycle[index % spec.paramsCycle.length] }));
    });
    socket.on('message', (data: Buffer) => {
      const at = nowMs();
      const text = data.toString();
      if (text.startsWith('{"id"') || text.includes('"type":"next"')) {
        const match = ROUND_ID.exec(text);
        if (match) {
          let list = fleet.arrivals.get(match[1]!);
          if (!list) fleet.arrivals.set(match[1]!, (list = []));
          list.push(at);
          fleet.sample ??= text;
          return;
        }
      }
      const message = JSON.parse(text) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        if (spec.subscribe !== false) {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: spec.query, variables: spec.variables } }));
        }
        subscribed = true;
        socket.off('error', fail);
        socket.on('error', () => {});
        resolve();
      } else if (message.type === 'next' || message.type === 'error' || message.type === 'complete') {
        // A `complete` from the server ends the subscription: nothing more arrives on this socket.
        if (fleet.errors.length < 20) fleet.errors.push(text.slice(0, 500));
      } else if (message.type === 'ping') {
        socket.send('{"type":"pong"}');
      }
    });
    socket.on('close', (code, reason) => {
      const why = `close ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`;
      if (!subscribed) reject(new Error(`socket closed before ack (${why})`));
      else if (!closing.has(fleet)) {
        fleet.unexpectedCloses += 1;
        if (fleet.closes.length < 20) fleet.closes.push(why);
      }
    });
    fleet.sockets.push(socket);
  });
}

const closing = new Set<Fleet>();

serveRpc({
  async connect(spec: FleetSpec) {
    const fleet: Fleet = { sockets: [], arrivals: new Map(), errors: [], unexpectedCloses: 0, closes: [], sample: undefined };
    fleets.set(spec.fleet, fleet);
    let next = 0;
    let failed = 0;
    const firstErrors: string[] = [];
    const lane = async () => {
      while (next < spec.count) {
        const index = next++;
        await open(spec, index, fleet).catch((error: Error) => {
          failed += 1;
          if (firstErrors.length < 3) firstErrors.push(error.message);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(spec.concurrency, spec.count) }, lane));
    return { connected: spec.count - failed, failed, firstErrors };
  },
  /** How many arrivals each of these round ids has so far (for pacing). */
  counts({ fleet, ids }: { fleet: string; ids: string[] }) {
    const arrivals = fleets.get(fleet)?.arrivals;
    return ids.map((id) => arrivals?.get(id)?.length ?? 0);
  },
  /** Arrival stamps per round id since the last collect, plus errors; then forgets them. */
  collect({ fleet }: { fleet: string }) {
    const state = fleets.get(fleet);
    if (!state) return { arrivals: {}, errors: [], closes: [], unexpectedCloses: 0, sample: undefined };
    const arrivals = Object.fromEntries(state.arrivals);
    state.arrivals = new Map();
    const result = { arrivals, errors: state.errors, closes: state.closes, unexpectedCloses: state.unexpectedCloses, sample: state.sample };
    state.errors = [];
    state.closes = [];
    return result;
  },
  async close({ fleet }: { fleet: string }) {
    const state = fleets.get(fleet);
    if (!state) return;
    closing.add(state);
    const closed = state.sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000);
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 5_000).unref();
        }),
    );
    await Promise.all(closed);
    fleets.delete(fleet);
  },
  async exit() {
    for (const state of fleets.values()) for (const socket of state.sockets) socket.terminate();
    setTimeout(() => process.exit(0), 20);
  },
});
