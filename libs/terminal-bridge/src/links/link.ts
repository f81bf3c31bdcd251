import type { ConcertAnswer, ConcertRequest } from '../concert/messages';
import { ProtocolError, ProtocolErrorCode } from '../concert/errors';

/** One Concert exchange with a terminal: a request, its answer. */
export interface TerminalLink {
  readonly protocol: 'v2' | 'v3';
  /** `signal`: ends the exchange at once (the link is closed), with a `timeout` LinkError. */
  exchange(request: ConcertRequest, answerTimeoutMs?: number, signal?: AbortSignal): Promise<ConcertAnswer>;
  close(): Promise<void>;
}

/**
 * A failure of the link. `requestDelivered` says whether the terminal may have started the
 * transaction: then only asking it for its last transaction tells how it ended.
 */
export class LinkError extends ProtocolError {
  constructor(
    code: ProtocolErrorCode,
    message: string,
    readonly requestDelivered: boolean,
    readonly systemCode?: string,
  ) {
    super(code, message);
    this.name = 'LinkError';
  }
}

/** Where a link may connect: the access policy the bridge applies at every connection (none: anywhere). */
export interface TargetGuard {
  /** The address to connect to for `host`; throws a LinkError when the target is not allowed. */
  resolve(host: string, signal?: AbortSignal): Promise<string>;
  /** Throws a LinkError when the serial device is not allowed, before anything opens it. */
  assertSerialPath(path: string): void;
}

/** The error an exchange ends with when its caller's deadline passes. */
export function deadlineError(requestDelivered: boolean): LinkError {
  return new LinkError('timeout', 'Pas de réponse du terminal dans le délai imparti', requestDelivered);
}
