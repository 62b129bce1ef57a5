import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A raw TCP server in Cashman's place that answers as a PHP web server would, written by hand so a
 * test can misbehave on purpose (answer twice, reset, keep the connection): `handler(n, socket)` runs
 * for the n-th whole request (1-based) once its multipart body has arrived. Counts connections and
 * requests.
 */
export interface RawCashman {
  url: string;
  requests(): number;
  connections(): number;
  /** Resets every open connection and stops listening; safe to call twice. */
  close(): Promise<void>;
}

/** A 200 answer carrying `text`, the connection kept open. */
export const rawReply = (text: string): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: keep-alive\r\n\r\n${text}`;

export async function rawCashman(handler: (n: number, socket: Socket) => void): Promise<RawCashman> {
  let requests = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      // One whole multipart request has arrived once its closing boundary has.
      if (!/--\r\n$/.test(seen)) return;
      seen = '';
      requests += 1;
      handler(requests, socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fxapi/jxs.php`,
    requests: () => requests,
    connections: () => connections,
    async close() {
      const closed = server.listening ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
