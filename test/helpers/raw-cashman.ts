import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/**
 * A raw TCP server in Cashman's place that answers as a PHP web server would, written by hand so a
 * test can misbehave on purpose (answer twice, reset, keep the connection): `handler(n, socket)` runs
 * for the n-th whole request (1-based) once its multipart body has arrived. Counts connections and
 * requests, and keeps what each connection carried. With `tls`, it speaks HTTPS.
 */
export interface RawCashman {
  url: string;
  requests(): number;
  connections(): number;
  /** Every connection so far, in the order they were accepted. */
  connectionLog(): readonly RawConnection[];
  /** Resets every open connection and stops listening; safe to call twice. */
  close(): Promise<void>;
}

export interface RawConnection {
  /** 1-based, in the order accepted. */
  id: number;
  socket: Socket;
  /** Bytes received on it. */
  bytes: number;
  /** Whole requests received on it. */
  requests: number;
  /** performance.now() when accepted, and when closed (null while open). */
  openedAt: number;
  closedAt: number | null;
}

/** A 200 answer carrying `text`, the connection kept open. */
export const rawReply = (text: string): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: keep-alive\r\n\r\n${text}`;

export async function rawCashman(
  handler: (n: number, socket: Socket, connection: RawConnection) => void,
  options: { onConnection?: (connection: RawConnection) => void; tls?: { key: string; cert: string }; host?: string } = {},
): Promise<RawCashman> {
  let requests = 0;
  const log: RawConnection[] = [];
  const sockets = new Set<Socket>();
  const accept = (socket: Socket): void => {
    const connection: RawConnection = { id: log.length + 1, socket, bytes: 0, requests: 0, openedAt: performance.now(), closedAt: null };
    log.push(connection);
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      connection.closedAt = performance.now();
    });
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      connection.bytes += chunk.length;
      seen += chunk.toString('latin1');
      // One whole multipart request has arrived once its closing boundary has.
      if (!/--\r\n$/.test(seen)) return;
      seen = '';
      requests += 1;
      connection.requests += 1;
      handler(requests, socket, connection);
    });
    options.onConnection?.(connection);
  };
  const server: Server = options.tls ? createTlsServer(options.tls, accept) : createServer(accept);
  const host = options.host ?? '127.0.0.1';
  server.listen(0, host);
  await once(server, 'listening');
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}/fxapi/jxs.php`,
    requests: () => requests,
    connections: () => log.length,
    connectionLog: () => log,
    async close() {
      const closed = server.listening ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
