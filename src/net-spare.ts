import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * An agent that can open the NEXT request's connection while the current request waits for its
 * answer, so the TCP (and TLS) handshake is off the path between two requests. Still one fresh
 * connection per request (keep-alive stays off: src/cashman/client.ts says why): a spare carries
 * no request before the one it is handed to, and is handed over only while it is clean:
 * - nothing was received on it (a byte from the server before our request answers nothing),
 *   and it was not closed, reset or timed out by the server (`end`, `close`, `error`);
 * - it is younger than `maxAgeMs` (web servers drop a connection that sends no request after tens
 *   of seconds: Apache's RequestReadTimeout header=20-40 s, nginx's client_header_timeout 60 s);
 *   an unused spare is closed at that age.
 * Anything the server does to a spare after it was handed over is the request's own failure, as on
 * any fresh connection: before the request was written it is "not sent" (src/net-request.ts).
 */
export interface SpareAgent extends http.Agent {
  /** Opens a spare for the next request to the last target, unless one is open. */
  warm(): void;
  /** Closes the spare, if any (the daemon is stopping). */
  dropSpare(): void;
}

/** Spares whose handshake completed before they were handed over: connected, though no 'connect' follows. */
const handedConnected = new WeakSet<object>();

/** True for a spare handed over after its handshake had completed. */
export const connectedBeforeHandOver = (socket: object): boolean => handedConnected.has(socket);

interface Spare {
  socket: Duplex & Socket;
  name: string;
  ready: boolean;
  timer: NodeJS.Timeout;
  release: () => void;
}

type ConnectionOptions = Parameters<http.Agent['createConnection']>[0];

export function spareAgent(secure: boolean, maxAgeMs: number): SpareAgent {
  const Base = secure ? https.Agent : http.Agent;
  // Node's own createConnection for the scheme (net.createConnection, or tls.connect with the
  // agent's session cache), as the agent would call it.
  const connect = (agent: http.Agent, options: ConnectionOptions): Duplex & Socket =>
    Base.prototype.createConnection.call(agent, options) as Duplex & Socket;

  class Agent extends Base implements SpareAgent {
    private spare: Spare | null = null;
    private last: { options: ConnectionOptions; name: string } | null = null;

    constructor() {
      super({ keepAlive: false });
    }

    override createConnection(options: ConnectionOptions): Duplex | null | undefined {
      const name = this.getName(options);
      // Only what a spare's connect needs: not the request's headers or body.
      this.last = { options: { ...options, headers: undefined }, name };
      const spare = this.take(name);
      if (spare) return spare;
      return connect(this, options);
    }

    warm(): void {
      if (this.spare !== null || this.last === null) return;
      const { options, name } = this.last;
      let socket: Duplex & Socket;
      try {
        socket = connect(this, options);
      } catch {
        return;
      }
      // A spare must not keep the process alive, nor outlive its age.
      socket.unref();
      const drop = (): void => {
        if (this.spare?.socket !== socket) return;
        this.spare.release();
        this.spare = null;
        socket.destroy();
      };
      const onReady = (): void => {
        if (this.spare?.socket === socket) this.spare.ready = true;
      };
      const readyEvent = secure ? 'secureConnect' : 'connect';
      socket.on('data', drop);
      socket.once('end', drop);
      socket.once('close', drop);
      socket.on('error', drop);
      socket.once(readyEvent, onReady);
      const timer = setTimeout(drop, maxAgeMs);
      timer.unref();
      const release = (): void => {
        clearTimeout(timer);
        socket.off('data', drop);
        socket.off('end', drop);
        socket.off('close', drop);
        socket.off('error', drop);
        socket.off(readyEvent, onReady);
      };
      this.spare = { socket, name, ready: false, timer, release };
    }

    dropSpare(): void {
      const spare = this.spare;
      if (spare === null) return;
      this.spare = null;
      spare.release();
      spare.socket.destroy();
    }

    private take(name: string): (Duplex & Socket) | null {
      const spare = this.spare;
      if (spare === null) return null;
      this.spare = null;
      spare.release();
      if (spare.name !== name || spare.socket.destroyed || !spare.socket.writable || spare.socket.readableLength > 0) {
        spare.socket.destroy();
        return null;
      }
      // An error between here and the request's own listener (a tick later) must not go unheard.
      spare.socket.on('error', () => undefined);
      spare.socket.ref();
      if (spare.ready) handedConnected.add(spare.socket);
      return spare.socket;
    }
  }
  return new Agent();
}
