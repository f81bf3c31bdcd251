import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Clock } from '@diapason/domain';
import { DOSSIER_STATUSES, FINAL_STATUSES, transitionFor } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig, retentionInterval } from '@diapason/config';
import { DiapasonMetrics } from '@diapason/metrics';
import { BacklogSnapshot, ObservationRepository, TerminalHealthRow, poolStats } from '@diapason/persistence';
import { WorkerReadiness } from './readiness';

/** Backlogs move fast: read again after this long. */
const BACKLOG_TTL_MS = 5_000;
/** Dossiers by status is a GROUP BY over the whole table: read at most once a minute. */
const STATUS_TTL_MS = 60_000;

/** One load shared by every gauge of a scrape, and by scrapes closer than `ttlMs`. */
function cached<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let loadedAt = 0;
  let value: Promise<T> | undefined;
  return () => {
    if (!value || Date.now() - loadedAt > ttlMs) {
      loadedAt = Date.now();
      const loading = load();
      value = loading;
      loading.catch(() => {
        if (value === loading) value = undefined;
      });
    }
    return value;
  };
}

/**
 * The gauges read from the database, exposed by the workers only: every worker shows the same
 * values (one database), so dashboards and alerts take `max` over them, never `sum`. Each scrape
 * costs a few indexed counts; a database that does not answer leaves the last values and sets
 * diapason_database_up to 0.
 */
@Injectable()
export class WorkerMetrics {
  private readonly logger = new Logger('Metrics');

  constructor(
    metrics: DiapasonMetrics,
    observations: ObservationRepository,
    dataSource: DataSource,
    readiness: WorkerReadiness,
    @InjectConfig() config: DiapasonConfig,
    @InjectClock() clock: Clock,
  ) {
    const retention = retentionInterval(config.retention.patientData);
    const dueStatuses = transitionFor('completion_started').from;
    const backlog = cached(BACKLOG_TTL_MS, () => observations.backlog(clock.now(), dueStatuses, FINAL_STATUSES, retention));
    const statuses = cached(STATUS_TTL_MS, () => observations.dossiersByStatus());
    const terminals = cached(BACKLOG_TTL_MS, () => observations.terminalHealth());
    metrics.gauge('diapason_database_up', 'La base répond aux lectures des métriques (1) ou non (0).', [], async (g) => {
      const answered = await Promise.all([backlog(), statuses(), terminals()]).then(
        () => true,
        () => false,
      );
      g.set(answered ? 1 : 0);
    });

    /** A read that fails leaves the gauge's last values (and diapason_database_up at 0). */
    const read = async <T>(load: () => Promise<T>, use: (value: T) => void) => {
      try {
        use(await load());
      } catch (error) {
        this.logger.warn({ err: error }, 'metrics: database read failed');
      }
    };
    const fromBacklog = (name: string, help: string, pick: (s: BacklogSnapshot) => number) =>
      metrics.gauge(name, help, [], (g) => read(backlog, (s) => g.set(pick(s))));

    metrics.gauge('diapason_dossiers', 'Dossiers par statut (toute la base ; relu au plus une fois par minute).', ['status'], (g) =>
      read(statuses, (byStatus) => {
        for (const status of DOSSIER_STATUSES) g.set({ status }, byStatus.get(status) ?? 0);
      }),
    );
    fromBacklog('diapason_debits_due', 'Débits dont la date est passée et pas encore envoyés.', (s) => s.debitsDue);
    fromBacklog(
      'diapason_debits_due_oldest_age_seconds',
      'Retard du plus ancien débit dû non envoyé (0 : aucun).',
      (s) => s.debitsDueOldestAgeSeconds,
    );
    fromBacklog('diapason_outbox_backlog', 'Avis en attente d’envoi dans l’outbox (à envoyer ou en cours).', (s) => s.outboxBacklog);
    fromBacklog(
      'diapason_outbox_backlog_oldest_age_seconds',
      'Âge du plus ancien avis en attente dans l’outbox (0 : aucun).',
      (s) => s.outboxOldestAgeSeconds,
    );
    fromBacklog('diapason_webhook_backlog', 'Livraisons de webhooks en attente (premier essai ou nouvel essai).', (s) => s.webhookBacklog);
    fromBacklog(
      'diapason_webhook_backlog_oldest_age_seconds',
      'Âge de la plus ancienne livraison de webhook en attente (0 : aucune).',
      (s) => s.webhookOldestAgeSeconds,
    );
    fromBacklog(
      'diapason_personal_data_erasure_due',
      'Dossiers clos depuis plus que DIAPASON_RETENTION_PATIENT_DATA dont les données personnelles ne sont pas encore effacées.',
      (s) => s.erasureDue,
    );
    metrics.gauge(
      'diapason_webhook_endpoint_failing_seconds',
      'Par adresse de webhook en échec : âge de la plus ancienne livraison encore retentée après au moins un échec.',
      ['establishment', 'endpoint'],
      (g) =>
        read(backlog, (s) => {
          g.reset();
          for (const f of s.failingEndpoints) g.set({ establishment: f.establishment, endpoint: f.endpointId }, f.ageSeconds);
        }),
    );
    const byTerminal = (name: string, help: string, value: (t: TerminalHealthRow) => number | null) =>
      metrics.gauge(name, help, ['establishment', 'terminal'], (g) =>
        read(terminals, (rows) => {
          g.reset();
          for (const t of rows) {
            const v = value(t);
            if (v !== null) g.set({ establishment: t.establishment, terminal: t.terminal }, v);
          }
        }),
      );
    byTerminal(
      'diapason_terminal_up',
      'Terminal joignable au dernier échange (1) ou en erreur (0) ; absent tant qu’il n’a jamais répondu.',
      (t) => t.up,
    );
    byTerminal('diapason_terminal_last_seen_timestamp_seconds', 'Dernier échange réussi avec le terminal (secondes Unix).', (t) =>
      t.lastSeenAt ? t.lastSeenAt.getTime() / 1000 : null,
    );
    metrics.gauge(
      'diapason_worker_listener_connected',
      'Connexions LISTEN du worker : 1 branchée, 0 coupée (absente si inutilisée).',
      ['channel'],
      (g) => {
        g.reset();
        for (const [channel, state] of Object.entries(readiness.listeners()))
          if (state !== 'disabled') g.set({ channel }, state === 'connected' ? 1 : 0);
      },
    );
    metrics.watchPool(() => poolStats(dataSource));
  }
}
