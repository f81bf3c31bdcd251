import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';

export interface SmsSettings {
  accountSid: string;
  authToken: string;
  /** Sender: an E.164 number or an alphanumeric sender id (11 characters at most). */
  from: string;
  /** Another host for Twilio's REST API (the simulator); absent: https://api.twilio.com. */
  apiBaseUrl?: string;
}

/** Twilio's client with its requests sent to another host, the SMS gateway simulator. */
class RedirectingRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 15_000, keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+/, this.baseUrl) });
  }
}

export interface SentSms {
  sid: string;
  status: string;
}

/** A failure where Twilio said no for good (invalid number…): no retry, fall back to e-mail. */
export class SmsRejected extends Error {
  constructor(
    readonly code: number | string,
    message: string,
  ) {
    super(message);
    this.name = 'SmsRejected';
  }
}

const PERMANENT_CODES = new Set([21211, 21212, 21408, 21610, 21612, 21614, 21617]);

export class SmsSender {
  private readonly client: ReturnType<typeof twilio>;

  constructor(private readonly settings: SmsSettings) {
    this.client = twilio(settings.accountSid, settings.authToken, {
      httpClient: settings.apiBaseUrl ? new RedirectingRequestClient(settings.apiBaseUrl.replace(/\/$/, '')) : undefined,
    });
  }

  async send(to: string, body: string, statusCallback: string): Promise<SentSms> {
    try {
      const message = await this.client.messages.create({ to, from: this.settings.from, body, statusCallback });
      return { sid: message.sid, status: message.status };
    } catch (error) {
      const code = (error as { code?: number }).code;
      const status = (error as { status?: number }).status;
      if ((code !== undefined && PERMANENT_CODES.has(code)) || status === 400) {
        throw new SmsRejected(code ?? status ?? 'unknown', (error as Error).message);
      }
      throw error;
    }
  }

  /**
   * Whether a message containing `marker` already went to `to` since `since`: asked after a crash
   * between sending and recording, before sending again.
   */
  async findSent(to: string, since: Date, marker: string): Promise<SentSms | null> {
    const day = new Date(since.getTime() - 86_400_000);
    const messages = await this.client.messages.list({ to, dateSentAfter: day, limit: 200 });
    const found = messages.find((m) => m.body?.includes(marker));
    return found ? { sid: found.sid, status: found.status } : null;
  }
}

/** Checks Twilio's X-Twilio-Signature of a status callback with the library's own validator. */
export function validTwilioSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, unknown>): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}
