import { EventEmitter } from 'node:events';
import { Server, createServer } from 'node:net';
import { SerialPort } from 'serialport';
import { ProtocolError, V2Item, V2Receiver, controlByte, decodeV2Request, encodeV2Answer, encodeV2Frame } from '@diapason/terminal-bridge';
import type { SimulatedTerminal } from './simulated-terminal';

/** Bytes in and out, whatever carries them (a pty, a socket). */
interface Wire extends EventEmitter {
  write(bytes: Buffer): void;
  close(): void;
}

const CONTROL_TIMEOUT_MS = 3000;
const RETRIES = 3;

/**
 * A terminal's Concert V2 side: answers ENQ, reads the framed request (NAK on bad LRC), runs the
 * transaction, then sends its own ENQ, the answer frame (repeated on NAK) and EOT. With a baud rate,
 * every byte takes the time a real line would give it (10 bits a byte).
 */
export class V2TerminalEndpoint {
  private readonly line = new V2Receiver();

  constructor(
    private readonly terminal: SimulatedTerminal,
    private readonly wire: Wire,
    private readonly baudRate: number | undefined,
  ) {
    wire.on('data', (chunk: Buffer) => this.line.push(chunk));
    wire.on('close', () => this.stop());
    void this.loop();
  }

  stop(): void {
    this.line.end();
  }

  private get stopped(): boolean {
    return this.line.isEnded;
  }

  private lineTime(bytes: number): Promise<void> {
    if (!this.baudRate) return Promise.resolve();
    return new Promise((r) => setTimeout(r, (bytes * 10 * 1000) / this.baudRate!));
  }

  private async send(bytes: Buffer): Promise<void> {
    await this.lineTime(bytes.length);
    if (!this.stopped) this.wire.write(bytes);
  }

  private async next(timeoutMs: number): Promise<V2Item | undefined> {
    const item = await this.line.next(timeoutMs);
    if (item.kind === 'timeout' || item.kind === 'ended') return undefined;
    // A byte the register sent takes its line time to arrive (frames are paced by their reader).
    if (item.kind === 'control') await this.lineTime(1);
    return item;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const item = await this.next(60_000);
      if (!item || this.terminal.muted) continue;
      if (item.kind === 'control' && item.control === 'ENQ') {
        await this.send(controlByte('ACK'));
        await this.receiveRequest();
      }
    }
  }

  private async receiveRequest(): Promise<void> {
    for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
      const item = await this.next(CONTROL_TIMEOUT_MS);
      if (!item) return;
      if (item.kind === 'control' && item.control === 'ENQ') {
        await this.send(controlByte('ACK'));
        continue;
      }
      if (item.kind !== 'frame') {
        await this.send(controlByte('NAK'));
        continue;
      }
      await this.lineTime(item.data.length + 3);
      if (this.terminal.takeFault('nak')) {
        await this.send(controlByte('NAK'));
        continue;
      }
      let request;
      try {
        request = decodeV2Request(item.data);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        await this.send(controlByte('NAK'));
        continue;
      }
      await this.send(controlByte('ACK'));
      const eot = await this.next(CONTROL_TIMEOUT_MS);
      if (eot && !(eot.kind === 'control' && eot.control === 'EOT')) this.line.unshift(eot);
      const operation = this.terminal.operationOf(request.transactionType, 'v2');
      const answer = operation
        ? await this.terminal.transact(operation, request.amountCents, request.reference)
        : {
            status: 'not_done' as const,
            detail: null,
            amountCents: request.amountCents,
            reference: request.reference,
            cardNumber: null,
            cardExpiry: null,
            authorisationNumber: null,
            acquirerReference: null,
          };
      if (!answer) return; // never answers
      const data = encodeV2Answer(this.terminal.profile, { ...answer, registerNumber: request.registerNumber, full: request.fullAnswer });
      await this.sendAnswer(encodeV2Frame(data));
      return;
    }
  }

  private async sendAnswer(frame: Buffer): Promise<void> {
    for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
      await this.send(controlByte('ENQ'));
      const ack = await this.next(CONTROL_TIMEOUT_MS);
      if (ack?.kind === 'control' && ack.control === 'ACK') break;
      if (attempt === RETRIES) return;
    }
    for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
      let bytes = frame;
      if (this.terminal.takeFault('bad_lrc')) {
        bytes = Buffer.from(frame);
        bytes[bytes.length - 1] = bytes[bytes.length - 1] ^ 0x5a;
      } else if (this.terminal.takeFault('drop_byte')) {
        bytes = Buffer.concat([frame.subarray(0, 10), frame.subarray(11)]);
      } else if (this.terminal.takeFault('disconnect_mid_frame')) {
        await this.send(frame.subarray(0, Math.floor(frame.length / 2)));
        this.wire.close();
        return;
      }
      await this.send(bytes);
      const reply = await this.next(CONTROL_TIMEOUT_MS);
      if (reply?.kind === 'control' && reply.control === 'ACK') {
        await this.send(controlByte('EOT'));
        return;
      }
    }
  }
}

class PortWire extends EventEmitter implements Wire {
  constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (c: Buffer) => this.emit('data', c));
    port.on('close', () => this.emit('close'));
    port.on('error', () => undefined);
  }
  write(bytes: Buffer): void {
    if (this.port.isOpen) this.port.write(bytes);
  }
  /** A serial line cannot be unplugged from here: the terminal goes silent until the next ENQ. */
  close(): void {
    this.emit('silence');
  }
}

/** Serves V2 on a serial device (one end of a pty pair in tests and demos). */
export async function startV2Serial(terminal: SimulatedTerminal, path: string, baudRate?: number): Promise<{ stop(): Promise<void> }> {
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path, baudRate: baudRate ?? 9600 }, (e) => (e ? reject(e) : resolve(p)));
  });
  const endpoint = new V2TerminalEndpoint(terminal, new PortWire(port), baudRate);
  return {
    stop: () =>
      new Promise((resolve) => {
        endpoint.stop();
        if (port.isOpen) port.close(() => resolve());
        else resolve();
      }),
  };
}

/** Serves V2 framing over TCP, as a terminal behind a serial-to-IP adapter. */
export function startV2Tcp(terminal: SimulatedTerminal, port: number, host = '127.0.0.1'): Promise<Server> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const wire = Object.assign(new EventEmitter(), {
      write: (bytes: Buffer) => void (!socket.destroyed && socket.write(bytes)),
      close: () => socket.destroy(),
    });
    socket.on('data', (c) => wire.emit('data', c));
    socket.on('close', () => wire.emit('close'));
    new V2TerminalEndpoint(terminal, wire, undefined);
  });
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    sockets.forEach((s) => s.destroy());
    return close(callback);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
