import { once } from 'node:events';
import net from 'node:net';

/**
 * A TCP port in front of a real server that a test opens and closes: closed, a connection is
 * refused (what a stopped Cashman host or a dead PHP-FPM behind a down proxy gives); open again on
 * the same port, requests reach the server. The client keeps one URL throughout, as a daemon does.
 */
export interface Gate {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startGate(target: string): Promise<Gate> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const open = async (): Promise<void> => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(to.port), to.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  };
  const shut = async (): Promise<void> => {
    const closing = server;
    server = null;
    if (!closing) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await open();
  return { url: `${to.protocol}//127.0.0.1:${port}${to.pathname}${to.search}`, down: shut, up: open, close: shut };
}
