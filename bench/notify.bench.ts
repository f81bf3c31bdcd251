import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { EmailSender, SmsSender } from '@diapason/notifier';
import { OUTBOX_CHANNEL, createDataSource } from '@diapason/persistence';
import { startSmsGatewaySimulator } from '../simulators/sms-gateway';
import { startSmtpSink } from '../simulators/smtp';
import { seedDueDossiers } from './seed';
import { closedLoop, printRatio, startBenchDatabase, startNode, waitUntil } from './support';

/**
 * bench:notify — notices dispatched per second from the outbox to the SMS gateway and SMTP
 * simulators by a worker (claim, render, send through twilio / nodemailer, record, journal), beside
 * a bare loop that calls the same simulators directly with the same clients and concurrency, from a
 * process of its own as the worker's.
 */
const N = Number(process.env.BENCH_NOTIFY_NOTICES ?? 4000);
const CONCURRENCY = 16;
const SID = 'ACbench0000000000000000000000000';
const TOKEN = 'bench-auth-token-0123456789abcdef';

export async function benchNotify(): Promise<void> {
  const server = await startBenchDatabase();
  // Delivery receipts and opens would call an API that is not running here: pushed past the run.
  const sms = await startSmsGatewaySimulator({ accountSid: SID, authToken: TOKEN, deliveryDelayMs: 3_600_000 });
  const smtp = await startSmtpSink({ openDelayMs: 3_600_000 });
  let worker: ChildProcess | undefined;
  try {
    const url = await server.createDatabase();
    const ds = createDataSource({ url, poolSize: 4 });
    await ds.initialize();
    const { ids } = await seedDueDossiers(ds, { count: N });
    await ds.query(
      `UPDATE dossier SET status = 'payment_requested', acknowledged_at = NULL, completion_due_at = NULL, notice_sent_at = NULL,
              patient_phone = CASE WHEN right(gap_dossier_number, 1) IN ('0','2','4','6','8') THEN '+3363998' || lpad((abs(hashtext(id::text)) % 10000)::text, 4, '1') END,
              patient_email = 'patient' || right(gap_dossier_number, 6) || '@example.test'
        WHERE id = ANY($1)`,
      [ids],
    );
    worker = startNode('dist/apps/worker/src/main.js', {
      DATABASE_URL: url,
      DIAPASON_WORKER_PORT: '0',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM: 'CHBENCH',
      TWILIO_API_BASE_URL: sms.url,
      SMTP_URL: `${smtp.smtpUrl}?pool=true&maxConnections=${CONCURRENCY}`,
      DIAPASON_SCHEDULER_CRON: '* * * * * *',
      DIAPASON_SCHEDULER_BATCH_SIZE: '200',
      DIAPASON_TERMINAL_RUNNER: 'false',
      DIAPASON_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    });
    // Timed from a worker ready to work, as the bare loop is from clients ready to send: its boot
    // (modules, Nest, pool) is no part of the notices' throughput. Ready: its outbox listener is in.
    await waitUntil(async () => {
      const [{ listening }] = await ds.query<{ listening: number }[]>(
        `SELECT count(*)::int AS listening FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'diapason-outbox-listener'`,
      );
      return listening > 0;
    });
    const started = performance.now();
    // As a transaction leaves them: the rows and a notification that wakes the worker.
    await ds.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO outbox (kind, establishment_id, dossier_id, payload, status, next_attempt_at, created_at)
         SELECT 'notice.send', establishment_id, id,
                jsonb_build_object('dossierId', id, 'channel', CASE WHEN patient_phone IS NULL THEN 'email' ELSE 'sms' END),
                'pending', now(), now()
           FROM dossier WHERE id = ANY($1)`,
        [ids],
      );
      await manager.query(`SELECT pg_notify($1, 'notice.send')`, [OUTBOX_CHANNEL]);
    });
    for (;;) {
      const [{ open }] = await ds.query<{ open: number }[]>(`SELECT count(*)::int AS open FROM outbox WHERE status <> 'done'`);
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const oursSeconds = (performance.now() - started) / 1000;
    const [{ sent }] = await ds.query<{ sent: number }[]>(`SELECT count(*)::int AS sent FROM notice WHERE status = 'sent'`);
    // Gone before the bare loop starts: nothing of it runs beside the other side.
    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    await exited;
    await ds.destroy();

    const bare = await bareLoopInItsOwnProcess(sms.url, smtp.smtpUrl);

    console.log(`\nbench:notify — ${N} notices (half SMS, half e-mail), simulators answering at once`);
    console.log(`${'run'.padEnd(52)} ${'seconds'.padStart(8)} ${'per s'.padStart(8)}`);
    console.log(
      `${'outbox → worker → twilio / nodemailer → simulators'.padEnd(52)} ${oursSeconds.toFixed(1).padStart(8)} ${(N / oursSeconds).toFixed(0).padStart(8)}`,
    );
    console.log(
      `${`bare loop, same clients (c=${CONCURRENCY})`.padEnd(52)} ${bare.seconds.toFixed(1).padStart(8)} ${(N / bare.seconds).toFixed(0).padStart(8)}`,
    );
    console.log(`notices recorded as sent: ${sent} of ${N}`);
    printRatio('throughput ours / bare loop', N / oursSeconds, N / bare.seconds);
  } finally {
    worker?.kill('SIGKILL');
    await sms.stop();
    await smtp.stop();
    await server.stop();
  }
}

/**
 * The bare loop runs in a process of its own, as the worker does: the simulators answer from this
 * one, so neither side shares its event loop with them.
 */
async function bareLoopInItsOwnProcess(smsUrl: string, smtpUrl: string): Promise<{ seconds: number }> {
  const child = spawn(process.execPath, [__filename, '--bare'], {
    env: { PATH: process.env.PATH ?? '', BENCH_NOTIFY_NOTICES: String(N), BARE_SMS_URL: smsUrl, BARE_SMTP_URL: smtpUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`bare loop exited with ${code}`);
  return JSON.parse(out) as { seconds: number };
}

async function bareLoop(smsUrl: string, smtpUrl: string): Promise<{ seconds: number }> {
  const smsSender = new SmsSender({ accountSid: SID, authToken: TOKEN, from: 'CHBENCH', apiBaseUrl: smsUrl });
  const emailSender = new EmailSender({ url: `${smtpUrl}?pool=true&maxConnections=${CONCURRENCY}`, from: 'bench@example.test' });
  const body =
    'Centre hospitalier : votre reste à charge de 17,50 € (dossier SEED-1, empreinte CB du 20/11/2026) sera débité le 26/11/2026. http://localhost:3000/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const bare = await closedLoop(N, CONCURRENCY, async (i) => {
    if (i % 2 === 0) await smsSender.send(`+3363998${String(i % 10000).padStart(4, '1')}`, body, 'http://127.0.0.1:1/cb');
    else
      await emailSender.send({
        to: `p${i}@example.test`,
        subject: 'Reste à charge',
        html: `<p>${body}</p>`,
        text: body,
        messageId: `<b${i}@bench>`,
      });
  });
  emailSender.close();
  return { seconds: bare.seconds };
}

if (require.main === module && process.argv[2] === '--bare') {
  bareLoop(process.env.BARE_SMS_URL!, process.env.BARE_SMTP_URL!).then(
    (result) => {
      process.stdout.write(JSON.stringify(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else if (require.main === module) {
  benchNotify().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
