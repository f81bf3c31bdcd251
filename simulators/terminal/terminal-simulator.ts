import { spawnSync } from 'node:child_process';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TerminalModel } from '@diapason/terminal-bridge';
import { createPtyPair, PtyPair } from './pty';
import { FAULTS, Fault, OUTCOMES, Outcome, SimulatedTerminal } from './simulated-terminal';
import { startV2Serial, startV2Tcp } from './v2-endpoint';
import { startV3Server } from './v3-server';

export interface SimulatedTerminalSpec {
  id: string;
  model: TerminalModel;
  /** `v3-tcp` (Caisse-AP), `v2-serial` (over a pty pair), `v2-tcp` (serial-to-IP adapter). */
  transport: 'v3-tcp' | 'v2-serial' | 'v2-tcp';
  port?: number;
  /** Paces the serial line at this speed (10 bits a byte), like a real cable. */
  baudRate?: number;
  answerDelayMs?: number;
}

export interface RunningTerminal {
  spec: SimulatedTerminalSpec;
  terminal: SimulatedTerminal;
  /** The transport URL to register in DIAPASON for this terminal. */
  transportUrl: string;
}

export interface TerminalSimulator {
  terminals: Map<string, RunningTerminal>;
  controlUrl: string;
  add(spec: SimulatedTerminalSpec): Promise<RunningTerminal>;
  stop(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Simulated Ingenico terminals (ICT250, iWL280) speaking Concert V3 over TCP and V2 over a serial
 * pty, plus an HTTP control endpoint to read their ledgers, force outcomes and inject line faults.
 */
export async function startTerminalSimulator(options: { controlPort?: number; host?: string } = {}): Promise<TerminalSimulator> {
  const host = options.host ?? '127.0.0.1';
  const terminals = new Map<string, RunningTerminal>();
  const stoppers: (() => Promise<void>)[] = [];

  const add = async (spec: SimulatedTerminalSpec): Promise<RunningTerminal> => {
    const terminal = new SimulatedTerminal(spec.id, spec.model, { answerDelayMs: spec.answerDelayMs });
    let transportUrl: string;
    if (spec.transport === 'v2-serial') {
      const pty: PtyPair = await createPtyPair(spec.id);
      const endpoint = await startV2Serial(terminal, pty.terminalPath, spec.baudRate);
      stoppers.push(async () => {
        await endpoint.stop();
        await pty.close();
      });
      transportUrl = `serial://${pty.registerPath}?baudRate=${spec.baudRate ?? 9600}`;
    } else {
      const server =
        spec.transport === 'v3-tcp' ? await startV3Server(terminal, spec.port ?? 0, host) : await startV2Tcp(terminal, spec.port ?? 0, host);
      stoppers.push(() => new Promise((r) => server.close(() => r())));
      const port = (server.address() as AddressInfo).port;
      transportUrl = `${spec.transport === 'v3-tcp' ? 'tcp' : 'tcp+v2'}://${host}:${port}`;
    }
    const running = { spec, terminal, transportUrl };
    terminals.set(spec.id, running);
    return running;
  };

  const control = createServer((req, res) => void handle(req, res, terminals));
  await new Promise<void>((resolve) => control.listen(options.controlPort ?? 0, host, resolve));
  const controlUrl = `http://${host}:${(control.address() as AddressInfo).port}`;

  return {
    terminals,
    controlUrl,
    add,
    stop: async () => {
      await new Promise<void>((r) => control.close(() => r()));
      control.closeAllConnections();
      for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error('too large');
  }
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function handle(req: IncomingMessage, res: ServerResponse, terminals: Map<string, RunningTerminal>): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'terminals') return send(res, 404, { error: 'not found' });
    if (parts.length === 1 && req.method === 'GET') {
      return send(res, 200, { data: [...terminals.values()].map(view) });
    }
    const running = terminals.get(parts[1] ?? '');
    if (!running) return send(res, 404, { error: `unknown terminal ${parts[1]}` });
    const action = parts[2];
    if (!action && req.method === 'GET') return send(res, 200, view(running));
    if (action === 'transactions' && req.method === 'GET') return send(res, 200, { data: running.terminal.transactions });
    if (action === 'next-outcome' && req.method === 'POST') {
      const { outcome } = await readJson(req);
      if (!OUTCOMES.includes(outcome as Outcome)) return send(res, 400, { error: `outcome must be one of ${OUTCOMES.join(', ')}` });
      running.terminal.forceNextOutcome(outcome as Outcome);
      return send(res, 200, view(running));
    }
    if (action === 'faults' && req.method === 'POST') {
      const { fault, count } = await readJson(req);
      if (!FAULTS.includes(fault as Fault)) return send(res, 400, { error: `fault must be one of ${FAULTS.join(', ')}` });
      running.terminal.injectFault(fault as Fault, typeof count === 'number' ? count : 1);
      return send(res, 200, view(running));
    }
    if (action === 'reset' && req.method === 'POST') {
      running.terminal.reset();
      return send(res, 200, view(running));
    }
    return send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 400, { error: String(error) });
  }
}

function view(r: RunningTerminal) {
  return {
    id: r.spec.id,
    model: r.spec.model,
    transport: r.spec.transport,
    transportUrl: r.transportUrl,
    muted: r.terminal.muted,
    transactions: r.terminal.transactions.length,
  };
}
