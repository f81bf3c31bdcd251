import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { DiapasonMetrics } from '@diapason/metrics';
import { poolStats } from '@diapason/persistence';

/** Seconds: the GAP API answers in milliseconds; a slow database shows in the upper buckets. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of a request no route matched (404, or refused before routing): never its raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The template of the route that answered; Nest's own catch-all (`{/*splat}`, the 404 of an
 * unknown address) and a request refused before routing count as unmatched.
 */
export function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('/*') ? path : UNMATCHED_ROUTE;
}

/**
 * HTTP latency and status of the api, by route template (`/v1/dossiers/:id`, `/p/:token`): the raw
 * URL, which may carry a patient link's token or an identifier, is never a label.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration;

  constructor(metrics: DiapasonMetrics, dataSource: DataSource) {
    this.duration = metrics.histogram(
      'diapason_http_request_duration_seconds',
      'Durée des requêtes HTTP de l’api, par méthode, modèle de route et statut.',
      ['method', 'route', 'status'],
      HTTP_BUCKETS,
    );
    metrics.watchPool(() => poolStats(dataSource));
  }

  /** First middleware of the app: measures from the first byte to the last one sent. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      this.duration.observe(
        { method: req.method, route: routeLabel(req), status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}
