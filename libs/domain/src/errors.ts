/**
 * Typed domain errors. Each carries a stable machine code, a French message that a cashier or a
 * GAP integrator can read, and a kind that the API maps once to an HTTP status.
 */
export type DomainErrorKind = 'invalid' | 'conflict' | 'not_found' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
