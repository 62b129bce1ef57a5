import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP gate in front of a stand-in, on a port of its own. "Down" closes the listening socket and
 * cuts the open connections, so the daemon sees what a stopped remote gives (connection refused),
 * while the stand-in behind keeps its records: the world outlives the outage.
 */
export interface Gate {
  /** The stand-in's URL with the gate's port. */
  url: string;
  up(): Promise<void>;
  down(): Promise<void>;
  isUp(): boolean;
  close(): Promise<void>;
}

export async function startGate(targetUrl: string): Promise<Gate> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port);
  const open = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;

  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      open.add(client);
      open.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const down = async (): Promise<void> => {
    const current = server;
    server = null;
    if (!current) return;
    for (const socket of open) socket.destroy();
    open.clear();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  const url = new URL(targetUrl);
  url.port = String(port);
  return {
    url: url.toString().replace(/\/$/, targetUrl.endsWith('/') ? '/' : ''),
    up: async () => {
      // The port was free a moment ago; another process may grab it while down. Retried briefly.
      for (let tries = 0; !server; tries++) {
        try {
          await listen();
        } catch (error) {
          if (tries >= 20) throw new Error(`the gate could not listen on port ${port} again: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    down,
    isUp: () => server !== null,
    close: down,
  };
}
