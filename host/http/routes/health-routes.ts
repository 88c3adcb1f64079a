import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { Logger } from '../../logging/logger.js';
import type { RouteDeps } from './route-deps.js';

export function healthRoutes(deps: RouteDeps, log: Logger): Router {
  const router = new Router();
  const readiness = new ReadinessLog(log);
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const bus = deps.busConnected?.();
    if (!(await deps.isReady())) {
      readiness.notReady('the host is starting or stopping, or its database does not answer');
      throw new SwitchboardError('not_ready');
    }
    // Without the bus this host's clients miss other hosts' changes until they resume elsewhere.
    if (bus === false) {
      readiness.notReady('the event bus (Redis) is unreachable');
      throw new SwitchboardError('not_ready', 'The event bus (Redis) is unreachable.');
    }
    readiness.ready();
    ctx.body = bus === undefined ? { status: 'ready' } : { status: 'ready', bus: 'connected' };
  });
  return router;
}

/**
 * A probe asks every few seconds; an outage is logged when /readyz first sees it (or its reason
 * changes) and when it ends, not once per probe. Not ready is an expected state, so a warning.
 */
class ReadinessLog {
  private reason: string | null = null;

  constructor(private readonly log: Logger) {}

  notReady(reason: string): void {
    if (reason === this.reason) return;
    this.reason = reason;
    this.log.warn({ reason }, 'not ready');
  }

  ready(): void {
    if (this.reason === null) return;
    this.log.info({ after: this.reason }, 'ready again');
    this.reason = null;
  }
}
