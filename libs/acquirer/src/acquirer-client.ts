import { Agent, request } from 'undici';

export interface CompletionRequest {
  /** One per dossier: the acceptance server debits a key at most once. */
  idempotencyKey: string;
  amountCents: number;
  /** Our reference of the operation (the dossier id), printed on the acquirer's remittance. */
  merchantReference: string;
  imprint: {
    authorisationNumber: string | null;
    acquirerReference: string | null;
    maskedPan: string | null;
    itpAcceptanceServer: string | null;
    itpAcceptancePoint: string | null;
  };
}

export interface CompletionResult {
  status: 'approved' | 'refused';
  /** The acquirer's transaction reference, found again on the remittance and the DFT statement. */
  transactionReference: string | null;
  /** Day the funds are credited (YYYY-MM-DD). */
  settlementDate: string | null;
  /** Issuer reason code on refusal (51 insufficient funds, 54 expired card…). */
  reasonCode: string | null;
}

/** The outcome is unknown: the request may or may not have been debited. Ask before sending again. */
export class AcquirerUnavailableError extends Error {
  constructor(
    readonly kind: 'timeout' | 'server' | 'network' | 'rejected_request',
    message: string,
  ) {
    super(message);
    this.name = 'AcquirerUnavailableError';
  }
}

export interface AcquirerClientOptions {
  baseUrl: string;
  timeoutMs: number;
  connections?: number;
}

/**
 * Client of the acceptance server for PLBS completions: an idempotent POST keyed by the dossier,
 * and a lookup by key to learn the fate of a request whose answer was lost.
 */
export class AcquirerClient {
  private readonly dispatcher: Agent;

  constructor(private readonly options: AcquirerClientOptions) {
    this.dispatcher = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 10_000 });
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const response = await this.call('POST', '/v1/completions', request.idempotencyKey, {
      amountCents: request.amountCents,
      currency: 'EUR',
      merchantReference: request.merchantReference,
      imprint: request.imprint,
    });
    if (response.status === 200 || response.status === 201) return toResult(response.body);
    if (response.status === 409 || response.status === 422) {
      throw new AcquirerUnavailableError('rejected_request', `Demande refusée par le serveur d’acceptation (${response.status})`);
    }
    throw new AcquirerUnavailableError('server', `Serveur d’acceptation en erreur (${response.status})`);
  }

  /** What the acceptance server knows of this key; null when it never received it. */
  async find(idempotencyKey: string): Promise<CompletionResult | null> {
    const response = await this.call('GET', `/v1/completions/${encodeURIComponent(idempotencyKey)}`, undefined, undefined);
    if (response.status === 404) return null;
    if (response.status === 200) return toResult(response.body);
    throw new AcquirerUnavailableError('server', `Serveur d’acceptation en erreur (${response.status})`);
  }

  private async call(method: 'GET' | 'POST', path: string, key: string | undefined, body: unknown): Promise<{ status: number; body: unknown }> {
    let status: number;
    let text: string;
    try {
      const response = await request(`${this.options.baseUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const name = (error as Error).name;
      throw new AcquirerUnavailableError(
        name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
        `Serveur d’acceptation injoignable ou réponse perdue : ${(error as Error).message}`,
      );
    }
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      if (status < 300) throw new AcquirerUnavailableError('network', 'Réponse du serveur d’acceptation illisible');
    }
    return { status, body: parsed };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Nest closes it with the application. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

function toResult(body: unknown): CompletionResult {
  const b = body as Record<string, unknown>;
  if (b?.status !== 'approved' && b?.status !== 'refused') {
    throw new AcquirerUnavailableError('server', 'Réponse du serveur d’acceptation illisible');
  }
  return {
    status: b.status,
    transactionReference: typeof b.transactionReference === 'string' ? b.transactionReference : null,
    settlementDate: typeof b.settlementDate === 'string' ? b.settlementDate : null,
    reasonCode: typeof b.reasonCode === 'string' ? b.reasonCode : null,
  };
}
