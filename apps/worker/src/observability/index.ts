import { WorkerReadiness } from './readiness';
import { WorkerHttpServer } from './worker-http';
import { WorkerMetrics } from './worker-metrics';

/** The worker's metrics, readiness and HTTP listener (/metrics, /health, /ready). */
export const WORKER_OBSERVABILITY = [WorkerReadiness, WorkerMetrics, WorkerHttpServer];

export { WorkerReadiness, WorkerMetrics, WorkerHttpServer };
