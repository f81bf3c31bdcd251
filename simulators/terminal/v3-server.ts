import { Server, Socket, createServer } from 'node:net';
import { V3_REQUIRED_REQUEST_TAGS, encodeTlv, parseTlv } from '@diapason/terminal-bridge';
import type { SimulatedAnswer, SimulatedTerminal } from './simulated-terminal';

/** A terminal's Caisse-AP (Concert V3) side: one connection, one request, one answer. */
export function startV3Server(terminal: SimulatedTerminal, port: number, host = '127.0.0.1'): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(terminal, socket);
  });
  // Closing the simulator hangs up on registers still waiting for an answer.
  server.on('close', () => sockets.forEach((s) => s.destroy()));
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

/** Caisse-AP has no length field: once the mandatory tags are in, this much silence ends the request. */
const QUIET_MS = 2;

function serve(terminal: SimulatedTerminal, socket: Socket): void {
  let buffer: Buffer = Buffer.alloc(0);
  let handled = false;
  let quiet: NodeJS.Timeout | undefined;
  socket.on('error', () => undefined);
  socket.setTimeout(600_000, () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (handled || terminal.muted) return;
    buffer = Buffer.concat([buffer, chunk]);
    const { fields, consumed, error } = parseTlv(buffer);
    if (error || buffer.length > 16_384) return socket.destroy();
    if (consumed !== buffer.length || !V3_REQUIRED_REQUEST_TAGS.every((t) => fields.has(t))) return;
    clearTimeout(quiet);
    quiet = setTimeout(() => {
      handled = true;
      void answer(terminal, socket, fields);
    }, QUIET_MS);
  });
}

async function answer(terminal: SimulatedTerminal, socket: Socket, fields: Map<string, string>): Promise<void> {
  const echo: [string, string][] = [
    ['CZ', '0300'],
    ['CA', fields.get('CA')!],
    ['CB', fields.get('CB')!],
    ['CD', fields.get('CD')!],
    ['CE', fields.get('CE')!],
  ];
  const operation = terminal.operationOf(fields.get('CD')!, 'v3');
  const amount = Number(fields.get('CB'));
  if (!operation || !/^\d{1,12}$/.test(fields.get('CB')!)) {
    return write(socket, [...echo, ['AE', '01'], ['AF', operation ? '09' : '12']]);
  }
  if (fields.get('CE') !== '978') return write(socket, [...echo, ['AE', '01'], ['AF', '13']]);
  const result = await terminal.transact(operation, amount, fields.get('CH') ?? '');
  if (!result) return; // never answers: the register gives up on its own
  const out = [
    ...echo.map(([t, v]): [string, string] => (t === 'CB' ? [t, String(result.amountCents).padStart(2, '0')] : [t, v])),
    ...answerFields(terminal, result),
  ];
  if (terminal.takeFault('disconnect_mid_frame')) {
    const bytes = encodeTlv(out);
    socket.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => socket.destroy());
    return;
  }
  write(socket, out);
}

function answerFields(terminal: SimulatedTerminal, r: SimulatedAnswer): [string, string][] {
  const fields: [string, string][] = [['AE', r.status === 'accepted' ? '10' : '01']];
  if (r.detail) fields.push(['AF', r.detail]);
  if (r.status === 'not_done' && !r.detail) fields.push(['AF', '06']);
  // Caisse-AP terminals send the PAN already masked.
  if (r.cardNumber) fields.push(['AA', `${r.cardNumber.slice(0, 6)}${'#'.repeat(r.cardNumber.length - 10)}${r.cardNumber.slice(-4)}`]);
  if (r.cardExpiry) fields.push(['AB', r.cardExpiry]);
  if (r.authorisationNumber) fields.push(['AC', r.authorisationNumber]);
  if (r.acquirerReference) fields.push([terminal.profile.v3.acquirerReferenceTag, r.acquirerReference]);
  if (r.reference) fields.push(['CH', r.reference]);
  if (r.status === 'accepted') fields.push(['CG', '1234567']);
  return fields;
}

function write(socket: Socket, fields: [string, string][]): void {
  socket.end(encodeTlv(fields));
}
