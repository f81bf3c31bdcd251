import { EventEmitter } from 'node:events';
import { Socket, connect } from 'node:net';
import type { TerminalProfile } from '../profiles';
import type { Timing, Transport } from '../transport-url';
import type { ConcertAnswer, ConcertRequest } from '../concert/messages';
import type { ByteChannel } from './byte-channel';
import { LinkError, TargetGuard, TerminalLink, deadlineError } from './link';
import { V2RegisterSession } from './v2-session';

class SocketChannel extends EventEmitter implements ByteChannel {
  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
    socket.on('close', () => this.emit('close'));
    socket.on('error', () => undefined);
  }
  get open(): boolean {
    return !this.socket.destroyed;
  }
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }
  close(): Promise<void> {
    this.socket.destroy();
    return Promise.resolve();
  }
}

export interface ConnectOptions {
  /** Checks the target and resolves a name to the address connected to. */
  guard?: TargetGuard;
  /** Abandons the connection attempt (and destroys the socket) when it aborts. */
  signal?: AbortSignal;
}

export async function connectSocket(host: string, port: number, timeoutMs: number, options: ConnectOptions = {}): Promise<Socket> {
  const { guard, signal } = options;
  const address = guard ? await guard.resolve(host, signal) : host;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(notConnected(host, port));
    const socket = connect({ host: address, port });
    const onAbort = () => {
      clearTimeout(timer);
      socket.destroy();
      reject(notConnected(host, port));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new LinkError('link_unavailable', `Pas de connexion à ${host}:${port} en ${timeoutMs} ms`, false, 'ETIMEDOUT'));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new LinkError('link_unavailable', `Connexion à ${host}:${port} impossible : ${error.message}`, false, error.code));
    });
  });
}

function notConnected(host: string, port: number): LinkError {
  return new LinkError('link_unavailable', `Pas de connexion à ${host}:${port} dans le délai imparti`, false, 'ETIMEDOUT');
}

/** Runs one exchange on a socket that `signal` closes; an exchange cut that way ends as a timeout. */
export async function underDeadline<T>(
  socket: { destroy(): void },
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
  requestDelivered = true,
): Promise<T> {
  if (!signal) return work();
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) throw deadlineError(requestDelivered);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Concert V2 framing through a serial-to-IP adapter: one connection per exchange. */
export class TcpV2Link implements TerminalLink {
  readonly protocol = 'v2' as const;

  constructor(
    private readonly transport: Extract<Transport, { kind: 'tcp' }>,
    private readonly profile: TerminalProfile,
    private readonly timing: Timing,
    private readonly guard?: TargetGuard,
  ) {}

  async exchange(request: ConcertRequest, answerTimeoutMs?: number, signal?: AbortSignal): Promise<ConcertAnswer> {
    const socket = await connectSocket(this.transport.host, this.transport.port, this.timing.connectTimeoutMs, { guard: this.guard, signal });
    const channel = new SocketChannel(socket);
    try {
      return await underDeadline(socket, signal, () => new V2RegisterSession(channel, this.profile, this.timing).exchange(request, answerTimeoutMs));
    } finally {
      await channel.close();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
