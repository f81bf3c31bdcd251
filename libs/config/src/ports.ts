import { createServer } from 'node:net';

/** A port a process is about to listen on, and the variable that moves it. */
export interface PortClaim {
  readonly port: number;
  readonly host?: string;
  /** Environment variable that changes this port, named in the error. */
  readonly variable: string;
  /** What listens there, in French (« l’api », « le PostgreSQL embarqué »…). */
  readonly what: string;
}

export interface BusyPort extends PortClaim {
  readonly reason: 'in_use' | 'denied';
}

function tryListen(port: number, host: string): Promise<BusyPort['reason'] | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EACCES' ? 'denied' : 'in_use'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The claimed ports that cannot be listened on now (port 0, « any free port », is never busy). */
export async function busyPorts(claims: readonly PortClaim[]): Promise<BusyPort[]> {
  const busy: BusyPort[] = [];
  for (const claim of claims) {
    if (claim.port === 0) continue;
    const reason = await tryListen(claim.port, claim.host ?? '0.0.0.0');
    if (reason) busy.push({ ...claim, reason });
  }
  return busy;
}

/** A start that cannot take its ports; the message (French) names each port and its variable. */
export class PortsBusyError extends Error {
  constructor(readonly busy: readonly BusyPort[]) {
    super(
      [
        busy.length === 1 ? 'Un port nécessaire est indisponible :' : 'Des ports nécessaires sont indisponibles :',
        ...busy.map((b) =>
          b.reason === 'in_use'
            ? `  - port ${b.port} (${b.what}) déjà utilisé par un autre programme : arrêtez-le, ou choisissez un autre port avec ${b.variable}=…`
            : `  - port ${b.port} (${b.what}) refusé (port privilégié) : choisissez un port au-dessus de 1023 avec ${b.variable}=…`,
        ),
      ].join('\n'),
    );
    this.name = 'PortsBusyError';
  }
}

export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  const busy = await busyPorts(claims);
  if (busy.length > 0) throw new PortsBusyError(busy);
}

/** The French message for a listen() that failed with EADDRINUSE / EACCES, or undefined for other errors. */
export function describeListenError(error: unknown, claim: PortClaim): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new PortsBusyError([{ ...claim, reason: 'in_use' }]).message;
  if (code === 'EACCES') return new PortsBusyError([{ ...claim, reason: 'denied' }]).message;
  return undefined;
}
