import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { TerminalProfile } from '../profiles';
import type { Timing, Transport } from '../transport-url';
import type { ConcertAnswer, ConcertRequest } from '../concert/messages';
import type { ByteChannel } from './byte-channel';
import { LinkError, TargetGuard, TerminalLink, deadlineError } from './link';
import { V2RegisterSession } from './v2-session';

class SerialChannel extends EventEmitter implements ByteChannel {
  constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('close', () => this.emit('close'));
    port.on('error', () => this.emit('close'));
  }
  get open(): boolean {
    return this.port.isOpen;
  }
  write(bytes: Buffer): void {
    this.port.write(bytes);
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

/**
 * Concert V2 over a serial line (USB CDC or RS-232). The port is held only for the time of an
 * exchange, so that the bridge and a deployment check (CLI, API) can take turns on it; the
 * terminal lease in the database keeps them from overlapping.
 */
export class SerialV2Link implements TerminalLink {
  readonly protocol = 'v2' as const;
  private channel: SerialChannel | undefined;
  private session: V2RegisterSession | undefined;

  constructor(
    private readonly transport: Extract<Transport, { kind: 'serial' }>,
    private readonly profile: TerminalProfile,
    private readonly timing: Timing,
    private readonly guard?: TargetGuard,
  ) {}

  private async ensureOpen(): Promise<V2RegisterSession> {
    if (this.channel?.open && this.session) return this.session;
    // Judged on the path's text, before the filesystem is touched: a refusal tells nothing of what exists.
    this.guard?.assertSerialPath(this.transport.path);
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p: SerialPort = new SerialPort(
        {
          path: this.transport.path,
          baudRate: this.transport.baudRate,
          dataBits: this.transport.dataBits,
          parity: this.transport.parity,
          stopBits: this.transport.stopBits,
          autoOpen: true,
        },
        (error) => (error ? reject(error) : resolve(p)),
      );
    }).catch((error: NodeJS.ErrnoException & { message: string }) => {
      const systemCode = /ENOENT|No such file/.test(error.message)
        ? 'ENOENT'
        : /EACCES|Permission/.test(error.message)
          ? 'EACCES'
          : /EBUSY|lock/i.test(error.message)
            ? 'EBUSY'
            : error.code;
      throw new LinkError('link_unavailable', `Ouverture de ${this.transport.path} impossible : ${error.message}`, false, systemCode);
    });
    this.channel = new SerialChannel(port);
    this.session = new V2RegisterSession(this.channel, this.profile, this.timing);
    return this.session;
  }

  async exchange(request: ConcertRequest, answerTimeoutMs?: number, signal?: AbortSignal): Promise<ConcertAnswer> {
    if (signal?.aborted) throw deadlineError(false);
    const session = await this.ensureOpen();
    const onAbort = () => void this.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await session.exchange(request, answerTimeoutMs);
    } catch (error) {
      if (signal?.aborted) throw deadlineError(true);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await this.close();
    }
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    this.session = undefined;
    await channel?.close();
  }
}
