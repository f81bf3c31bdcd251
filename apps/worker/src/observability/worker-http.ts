import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig, describeListenError } from '@diapason/config';
import { DiapasonMetrics, metricsAuthorized } from '@diapason/metrics';
import { WorkerReadiness } from './readiness';

/**
 * The worker's own small HTTP listener (DIAPASON_WORKER_PORT; 0: none): `/metrics` for Prometheus
 * (behind DIAPASON_METRICS_TOKEN when set), `/health` (the process answers: liveness) and
 * `/ready` (the database answers and the LISTEN connections are up: readiness). Nothing else, and
 * nothing of a patient or a dossier.
 */
@Injectable()
export class WorkerHttpServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHttp');
  private server: Server | undefined;

  constructor(
    private readonly metrics: DiapasonMetrics,
    private readonly readiness: WorkerReadiness,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  /** The port listened on (tests ask for a free one), or undefined when disabled. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  /** Before the scheduler starts: a busy port stops the worker at once, with a French message. */
  async onModuleInit(): Promise<void> {
    const { workerPort: port, workerHost: host } = this.config.observability;
    if (port === 0) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const message = describeListenError(error, { port, host, variable: 'DIAPASON_WORKER_PORT', what: 'le worker : /metrics, /health, /ready' });
      throw message ? new Error(message) : error;
    }
    this.server = server;
    this.logger.log(`worker listening on ${host}:${this.port} (/metrics, /health, /ready)`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'Méthode non permise.' }, { Allow: 'GET, HEAD' });
      if (path === '/health') return send(res, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
      if (path === '/ready') {
        const state = await this.readiness.check();
        return send(res, state.ready ? 200 : 503, {
          status: state.ready ? 'ready' : 'not_ready',
          database: state.database,
          listeners: state.listeners,
        });
      }
      if (path === '/metrics') {
        if (!metricsAuthorized(this.config.observability.metricsToken, req.headers.authorization)) {
          return send(
            res,
            401,
            { error: 'Jeton de supervision manquant ou invalide (DIAPASON_METRICS_TOKEN).' },
            { 'WWW-Authenticate': 'Bearer realm="diapason-metrics"' },
          );
        }
        const { contentType, body } = await this.metrics.render();
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(body);
        return;
      }
      send(res, 404, { error: 'Adresse inconnue : /metrics, /health ou /ready.' });
    } catch (error) {
      this.logger.error({ err: error, path }, 'worker http request failed');
      if (!res.headersSent) send(res, 500, { error: 'Erreur interne.' });
      else res.end();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
