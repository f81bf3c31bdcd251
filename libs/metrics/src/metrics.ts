import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Which process a registry describes: each has its own, never prom-client's global one. */
export type MetricsRole = 'api' | 'worker';

/** Pool of the process's database connections, as `pg` counts it. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * The Prometheus metrics of one DIAPASON process, in a registry of its own. Counters are per
 * process (Prometheus sums the replicas); gauges read from the database are added by the worker
 * only (see apps/worker/src/metrics), so that replicas of the api never report them twice.
 *
 * Labels are bounded: a route template (never a raw URL), a channel, a terminal code, a sweep name,
 * an outcome. No label ever holds a token, a name, a phone number or an address.
 */
export class DiapasonMetrics {
  readonly registry = new Registry();

  /** Notices handed to the SMS gateway or the SMTP server (`sent`), and channels failed for good (`failed`). */
  readonly notices = new Counter({
    name: 'diapason_notices_total',
    help: 'Avis aux patients envoyés (outcome=sent) ou en échec définitif (outcome=failed), par canal.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(readonly role: MetricsRole) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Registers a metric of this process (the api's HTTP histogram, the worker's gauges). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => Promise<void> | void): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            collect: async function (this: Gauge<L>) {
              await collect(this);
            },
          }
        : {}),
    });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Connections of the database pool, read at each scrape. */
  watchPool(stats: () => PoolStats | undefined): void {
    this.gauge(
      'diapason_db_pool_connections',
      'Connexions du pool PostgreSQL de ce processus (total, idle, waiting = requêtes en attente).',
      ['state'],
      (g) => {
        const s = stats();
        if (!s) return;
        g.set({ state: 'total' }, s.total);
        g.set({ state: 'idle' }, s.idle);
        g.set({ state: 'waiting' }, s.waiting);
      },
    );
  }

  /** The text exposition format, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Checks a bearer token in constant time; `expected` undefined: no token required. */
export function metricsAuthorized(expected: string | undefined, authorization: string | undefined): boolean {
  if (expected === undefined) return true;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
