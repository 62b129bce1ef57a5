import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * An agent that can open the NEXT request's connection while the current request waits for its
 * answer, so the TCP (and TLS) handshake is off the path between two requests. Still one fresh
 * connection per request (keep-alive stays off: src/cashman/connections.ts says why): a spare carries
 * no request before the one it is handed to, and is handed over only while it is clean:
 * - nothing was received on it (a byte from the server before our request answers nothing),
 *   and it was not closed, reset or timed out by the server (`end`, `close`, `error`);
 * - it is younger than `maxAgeMs`; an unused spare is closed at that age without a byte.
 * A server that closes (or answers on) a connection waiting for its request could close a spare
 * while its request crosses the close on the wire, and that request's outcome would be unknown. So
 * the first time the server does it to an unused spare, or anything fails on a used one, no spare is
 * opened again (stopSpares(); src/cashman/connections.ts for a used one);
 * web servers wait 20-60 s for a new connection's request (Apache's RequestReadTimeout header=20-40,
 * nginx's client_header_timeout 60 s), far longer than a spare lives. A close seen before the request
 * was written makes it "not sent" (src/net-request.ts), which the client retries on a new connection.
 */
export interface SpareAgent extends http.Agent {
  /** Opens a spare for the next request to the last target, unless one is open or spares stopped. */
  warm(): void;
  /** Closes the spare, if any (the daemon is stopping). */
  dropSpare(): void;
  /**
   * No spare is opened from now on: the server closes (or answers on) connections that wait for
   * their request, so a spare could be closed as its request crosses the close on the wire.
   * Called by the agent itself when that happens to an unused spare, and by the client when
   * anything failed on a spare it was given (src/cashman/connections.ts).
   */
  stopSpares(): void;
  /** False once stopSpares() ran. */
  readonly sparing: boolean;
}

/** Every spare handed to a request, and those whose handshake had completed by then (no 'connect' follows for them). */
const handedOver = new WeakSet<object>();
const handedConnected = new WeakSet<object>();

/**
 * Request options of a request written at once, with nothing to wait for (net-request.ts): it
 * never takes a spare, whose waiting events must be read before a request is written on it.
 */
export const SPARELESS = { spareless: true } as const;

/** True for a connection opened ahead and handed to a request. */
export const openedAhead = (socket: object): boolean => handedOver.has(socket);

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
    sparing = true;

    constructor() {
      super({ keepAlive: false });
    }

    override createConnection(options: ConnectionOptions): Duplex | null | undefined {
      const name = this.getName(options);
      // Only what a spare's connect needs: not the request's headers or body.
      this.last = { options: { ...options, headers: undefined }, name };
      const spare = (options as { spareless?: boolean }).spareless ? null : this.take(name);
      if (spare) return spare;
      return connect(this, options);
    }

    warm(): void {
      if (!this.sparing || this.spare !== null || this.last === null) return;
      const { options, name } = this.last;
      let socket: Duplex & Socket;
      try {
        socket = connect(this, options);
      } catch {
        return;
      }
      // A spare must not keep the process alive, nor outlive its age. A host name with several
      // addresses gets a new handle per attempt, each unreferenced again.
      const unref = (): void => void socket.unref();
      unref();
      const drop = (): void => {
        if (this.spare?.socket !== socket) return;
        this.spare.release();
        this.spare = null;
        socket.destroy();
      };
      // The server closed it, or sent something, before any request: it drops connections that wait.
      const dropped = (): void => {
        if (this.spare?.socket === socket) this.stopSpares();
        drop();
      };
      const onReady = (): void => {
        unref();
        if (this.spare?.socket === socket) this.spare.ready = true;
      };
      const readyEvent = secure ? 'secureConnect' : 'connect';
      socket.on('connectionAttempt', unref);
      socket.on('data', dropped);
      socket.once('end', dropped);
      socket.once('close', dropped);
      // A refused or failed connect says nothing about idle connections (Cashman may be down); a
      // reset after it connected is the server dropping it.
      const failed = (): void => (this.spare?.socket === socket && this.spare.ready ? dropped() : drop());
      socket.on('error', failed);
      socket.once(readyEvent, onReady);
      const timer = setTimeout(drop, maxAgeMs);
      timer.unref();
      const release = (): void => {
        clearTimeout(timer);
        socket.off('connectionAttempt', unref);
        socket.off('data', dropped);
        socket.off('end', dropped);
        socket.off('close', dropped);
        socket.off('error', failed);
        socket.off(readyEvent, onReady);
      };
      this.spare = { socket, name, ready: false, timer, release };
    }

    stopSpares(): void {
      this.sparing = false;
      this.dropSpare();
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
      // unref() on a socket without its handle yet leaves a 'connect' listener that would unref it later.
      // eslint-disable-next-line @typescript-eslint/unbound-method -- the very function Node registered
      spare.socket.removeListener('connect', spare.socket.unref);
      handedOver.add(spare.socket);
      if (spare.ready) handedConnected.add(spare.socket);
      return spare.socket;
    }
  }
  return new Agent();
}
