import { EventEmitter } from 'node:events';
import { Socket, connect } from 'node:net';
import type { TerminalProfile } from '../profiles';
import type { Timing, Transport } from '../transport-url';
import type { ConcertAnswer, ConcertRequest } from '../concert/messages';
import type { ByteChannel } from './byte-channel';
import { LinkError, TerminalLink } from './link';
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

export function connectSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LinkError('link_unavailable', `Pas de connexion à ${host}:${port} en ${timeoutMs} ms`, false, 'ETIMEDOUT'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new LinkError('link_unavailable', `Connexion à ${host}:${port} impossible : ${error.message}`, false, error.code));
    });
  });
}

/** Concert V2 framing through a serial-to-IP adapter: one connection per exchange. */
export class TcpV2Link implements TerminalLink {
  readonly protocol = 'v2' as const;

  constructor(
    private readonly transport: Extract<Transport, { kind: 'tcp' }>,
    private readonly profile: TerminalProfile,
    private readonly timing: Timing,
  ) {}

  async exchange(request: ConcertRequest, answerTimeoutMs?: number): Promise<ConcertAnswer> {
    const socket = await connectSocket(this.transport.host, this.transport.port, this.timing.connectTimeoutMs);
    const channel = new SocketChannel(socket);
    try {
      return await new V2RegisterSession(channel, this.profile, this.timing).exchange(request, answerTimeoutMs);
    } finally {
      await channel.close();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
