import { Socket, connect } from 'node:net';
import { SerialPort } from 'serialport';

/**
 * An ordinary cash register written from the public Concert notes alone, sharing no code with the
 * bridge: proof that the simulator speaks the protocol, not just our dialect of it; and the
 * bare-socket baseline of bench:terminal.
 */
export function bareV3Debit(host: string, port: number, amountCents: number, action = '0'): Promise<Map<string, string>> {
  const field = (tag: string, value: string) => `${tag}${String(value.length).padStart(3, '0')}${value}`;
  const request =
    field('CZ', '0300') +
    field('CJ', 'BARE00000001') +
    field('CA', '01') +
    field('CB', String(amountCents)) +
    field('CD', action) +
    field('CE', '978');
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port }, () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const out = new Map<string, string>();
      let i = 0;
      while (i + 5 <= text.length) {
        const len = Number(text.slice(i + 2, i + 5));
        out.set(text.slice(i, i + 2), text.slice(i + 5, i + 5 + len));
        i += 5 + len;
      }
      resolve(out);
    });
  });
}

/** A bare V2 register on a serial device: ENQ/ACK, frame, EOT; then the terminal's answer. */
export async function bareV2Debit(path: string, amountCents: number, baudRate = 9600): Promise<{ data: string; bytesOnLine: number }> {
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path, baudRate }, (e) => (e ? reject(e) : resolve(p)));
  });
  let received = Buffer.alloc(0);
  let bytesOnLine = 0;
  const waiters: (() => void)[] = [];
  port.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    bytesOnLine += chunk.length;
    waiters.splice(0).forEach((w) => w());
  });
  const write = (bytes: Buffer) => {
    bytesOnLine += bytes.length;
    port.write(bytes);
  };
  const waitFor = async (predicate: () => number) => {
    for (;;) {
      const at = predicate();
      if (at >= 0) return at;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const take = async (byte: number) => {
    const at = await waitFor(() => received.indexOf(byte));
    received = received.subarray(at + 1);
  };
  try {
    const data = `01${String(amountCents).padStart(8, '0')}010978${' '.repeat(10)}A010B010`;
    let lrc = 0x03;
    for (const b of Buffer.from(data, 'latin1')) lrc ^= b;
    write(Buffer.from([0x05]));
    await take(0x06);
    write(Buffer.concat([Buffer.from([0x02]), Buffer.from(data, 'latin1'), Buffer.from([0x03, lrc])]));
    await take(0x06);
    write(Buffer.from([0x04]));
    await take(0x05);
    write(Buffer.from([0x06]));
    const etx = await waitFor(() => {
      const i = received.indexOf(0x03);
      return i >= 0 && received.length > i + 1 ? i : -1;
    });
    const start = received.indexOf(0x02);
    const answer = received.subarray(start + 1, etx).toString('latin1');
    received = received.subarray(etx + 2);
    write(Buffer.from([0x06]));
    await take(0x04);
    return { data: answer, bytesOnLine };
  } finally {
    await new Promise<void>((r) => port.close(() => r()));
  }
}
