import { SmsGatewaySimulator, startSmsGatewaySimulator } from '../../simulators/sms-gateway';
import { SmtpSink, startSmtpSink } from '../../simulators/smtp';
import { ApiHarness, startApi } from './api-harness';
import { createDossier, driveTo } from './fixtures';
import { WorkerHarness, startWorker } from './worker-harness';

export const TWILIO = { sid: 'ACtest0000000000000000000000000000', token: 'test-auth-token-0123456789abcdef' };

export interface NotifyHarness {
  api: ApiHarness;
  worker: WorkerHarness;
  sms: SmsGatewaySimulator;
  smtp: SmtpSink;
  key: string;
  close(): Promise<void>;
  /** A dossier imprinted and asked to pay: its notices are in the outbox. */
  requested(patient: Record<string, unknown>, amountCents?: number): Promise<string>;
}

/** API, a worker, the SMS gateway and the SMTP sink, wired like `npm start` does. */
export async function startNotifyHarness(env: Record<string, string> = {}): Promise<NotifyHarness> {
  const sms = await startSmsGatewaySimulator({ accountSid: TWILIO.sid, authToken: TWILIO.token, deliveryDelayMs: 60 });
  const smtp = await startSmtpSink({ openDelayMs: 50 });
  const shared = {
    TWILIO_ACCOUNT_SID: TWILIO.sid,
    TWILIO_AUTH_TOKEN: TWILIO.token,
    TWILIO_FROM: 'CHDEMO',
    TWILIO_API_BASE_URL: sms.url,
    SMTP_URL: smtp.smtpUrl,
    MAIL_FROM: 'CH de démonstration <ne-pas-repondre@demo.test>',
    ...env,
  };
  const api = await startApi({ env: shared });
  const worker = await startWorker({ databaseUrl: api.databaseUrl, clock: api.clock, env: { ...shared, DIAPASON_PUBLIC_URL: api.url } });
  const key = await api.createKey('CH-NOTIF', 'Centre hospitalier de démonstration');
  await api.request('PUT', '/v1/regies/REGIE-01', { key, body: { name: 'Régie des recettes', phone: '01 99 00 12 34', email: 'regie@demo.test' } });
  return {
    api,
    worker,
    sms,
    smtp,
    key,
    async requested(patient, amountCents = 1750) {
      const d = await createDossier(api, key, { patient: { lastName: 'Martin', firstName: 'Claire', ...patient } });
      await driveTo(api, d.id, 'imprinted', 5000);
      const res = await api.request('POST', `/v1/dossiers/${d.id}/payment-request`, { key, body: { amountCents } });
      if (res.status !== 200) throw new Error(`payment request: ${res.status} ${res.text}`);
      return d.id;
    },
    async close() {
      await worker.close();
      await api.close();
      await sms.stop();
      await smtp.stop();
    },
  };
}
