import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** What a raw connection got back before the server closed it (or we gave up waiting). */
export interface RawExchange {
  received: Buffer;
  /** Status codes of every HTTP response in what came back. */
  statuses: number[];
  closedByServer: boolean;
}

/**
 * Opens a TCP connection, writes the chunks (each may be a function of what came back so far, for
 * frames after a handshake), half-closes when `end` is set, and collects everything until the
 * server closes or `timeoutMs` passes.
 */
export function exchange(
  port: number,
  chunks: Array<Buffer | ((received: Buffer) => Buffer)>,
  options: { end?: boolean; timeoutMs?: number; settleMs?: number } = {},
): Promise<RawExchange> {
  const { end = true, timeoutMs = 1_500, settleMs = 0 } = options;
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const received = Buffer.concat(parts);
      resolve({ received, statuses: httpStatuses(received), closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (data) => parts.push(data));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        const bytes = typeof chunk === 'function' ? chunk(Buffer.concat(parts)) : chunk;
        socket.write(bytes);
        if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
      }
      if (end && !socket.destroyed) socket.end();
    });
  });
}

export function httpStatuses(received: Buffer): number[] {
  const text = received.toString('latin1');
  return [...text.matchAll(/(?:^|\r\n)HTTP\/\d(?:\.\d)? (\d{3})/g)].map((match) => Number(match[1]));
}

/** GET /health on a new connection: the status, or 0 when the server did not answer. */
export async function healthOnNewConnection(port: number): Promise<number> {
  const result = await exchange(port, [Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')], {
    end: false,
    timeoutMs: 5_000,
  });
  return result.statuses[0] ?? 0;
}

/** A WebSocket upgrade request (graphql-transport-ws) with the given header overrides; null drops a header. */
export function upgradeRequest(path = '/graphql', overrides: Record<string, string | null> = {}): Buffer {
  const headers: Record<string, string | null> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Protocol': 'graphql-transport-ws',
    ...overrides,
  };
  const lines = Object.entries(headers)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}: ${value}`);
  return Buffer.from(`GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** Declared length, when it should lie about the payload. */
  declaredLength?: number | bigint;
  /** Length encoding: 7-bit, 16-bit (126) or 64-bit (127); default the shortest that fits. */
  lengthForm?: 7 | 16 | 64;
}

/** Encodes one WebSocket frame as given, lies included. */
export function encodeFrame(frame: FrameSpec): Buffer {
  const length = frame.declaredLength ?? frame.payload.length;
  const form = frame.lengthForm ?? (Number(length) < 126 ? 7 : Number(length) < 65_536 ? 16 : 64);
  const first = (frame.fin ? 0x80 : 0) | ((frame.rsv & 0x7) << 4) | (frame.opcode & 0x0f);
  const maskBit = frame.masked ? 0x80 : 0;
  let header: Buffer;
  if (form === 7) header = Buffer.from([first, maskBit | (Number(length) & 0x7f)]);
  else if (form === 16) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(Number(length) & 0xffff, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length) & 0xffff_ffff_ffff_ffffn, 2);
  }
  if (!frame.masked) return Buffer.concat([header, frame.payload]);
  const mask = randomBytes(4);
  const payload = Buffer.from(frame.payload);
  for (let index = 0; index < payload.length; index += 1) payload[index]! ^= mask[index % 4]!;
  return Buffer.concat([header, mask, payload]);
}
