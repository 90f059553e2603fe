import { connect } from 'node:net';

export interface RawAnswer {
  /** The status of the first response line, when the server sent one. */
  status: number | undefined;
  /** Everything the server sent before it closed the connection (or we gave up on the body). */
  text: string;
  /** Bytes of request body written before the answer came. */
  bodyBytesSent: number;
}

export interface RawOptions {
  /** Request body chunks written one by one (waiting for drain) until the server answers. */
  body?: { chunk: Buffer; count: number; chunked?: boolean };
}

/**
 * Sends raw bytes on a NEW TCP connection and reads until the server closes it. The requests
 * carry `Connection: close` (or are malformed), so the server ends each connection itself.
 */
export function rawRequest(port: number, head: Buffer | string, options: RawOptions = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let bodyBytesSent = 0;
    let answered = false;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : undefined, text, bodyBytesSent });
    };
    socket.setTimeout(20_000, () => {
      socket.destroy();
      if (!settled) reject(new Error(`no close within 20 s; got: ${Buffer.concat(received).toString('latin1').slice(0, 300)}`));
      settled = true;
    });
    socket.on('data', (data) => {
      received.push(data);
      answered = true;
    });
    // The server may reset a connection whose body it refused: what it sent before still counts.
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(head, async () => {
      const body = options.body;
      if (!body) return;
      for (let index = 0; index < body.count && !answered && !socket.destroyed; index += 1) {
        const framed = body.chunked
          ? Buffer.concat([Buffer.from(`${body.chunk.length.toString(16)}\r\n`), body.chunk, Buffer.from('\r\n')])
          : body.chunk;
        const flushed = socket.write(framed);
        bodyBytesSent += body.chunk.length;
        if (!flushed) await new Promise((drained) => socket.once('drain', drained).once('close', drained));
      }
      if (!answered && !socket.destroyed && body.chunked) socket.write('0\r\n\r\n');
    });
  });
}
