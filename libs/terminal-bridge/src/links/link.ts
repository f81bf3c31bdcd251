import type { ConcertAnswer, ConcertRequest } from '../concert/messages';
import { ProtocolError, ProtocolErrorCode } from '../concert/errors';

/** One Concert exchange with a terminal: a request, its answer. */
export interface TerminalLink {
  readonly protocol: 'v2' | 'v3';
  exchange(request: ConcertRequest, answerTimeoutMs?: number): Promise<ConcertAnswer>;
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
