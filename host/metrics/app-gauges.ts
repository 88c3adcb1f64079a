import { Counter, Gauge, type Registry } from 'prom-client';

/** The figures of one sandboxed app that metrics show (the sandbox's health book has them). */
export interface AppFigures {
  id: string;
  state: string;
  cpuMs: number;
  heapUsedBytes: number;
  workerRssBytes: number | null;
  restarts: number;
}

/**
 * Sandboxed apps' CPU, memory, restarts and breaker state, read from the sandbox when scraped:
 * nothing is counted on the apps' paths. One read serves every metric of a scrape.
 */
export class AppGauges {
  private source: (() => Promise<AppFigures[]>) | null = null;
  private pending: Promise<AppFigures[]> | null = null;

  constructor(registry: Registry) {
    const figures = () => this.figures();
    const gauge = (name: string, help: string, value: (app: AppFigures) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['app'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const app of await figures()) {
            const v = value(app);
            if (v !== null) this.set({ app: app.id }, v);
          }
        },
      });
    gauge(
      'switchboard_app_cpu_seconds',
      'CPU time of the app in its current isolate (restarts reset it).',
      (a) => a.cpuMs / 1000,
    );
    gauge('switchboard_app_heap_used_bytes', 'Heap the app uses in its isolate.', (a) => a.heapUsedBytes);
    gauge('switchboard_app_worker_rss_bytes', "Resident memory of the app's worker process.", (a) => a.workerRssBytes);
    gauge('switchboard_app_running', '1 while the app runs, else 0.', (a) => (a.state === 'running' ? 1 : 0));
    gauge('switchboard_app_breaker_open', '1 once its circuit breaker has disabled the app, until re-enabled.', (a) =>
      a.state === 'disabled' ? 1 : 0,
    );
    new Counter({
      name: 'switchboard_app_restarts_total',
      help: 'Restarts of the app on this host since it started.',
      labelNames: ['app'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const app of await figures()) this.inc({ app: app.id }, app.restarts);
      },
    });
  }

  /** Where the figures come from: the sandbox registers itself. */
  readFrom(source: () => Promise<AppFigures[]>): void {
    this.source = source;
  }

  /** The metrics of one scrape are collected together: they share one read. */
  private figures(): Promise<AppFigures[]> {
    const source = this.source;
    if (!source) return Promise.resolve([]);
    return (this.pending ??= source()
      // A sandbox that cannot answer now shows no apps rather than failing the whole scrape.
      .catch((): AppFigures[] => [])
      .finally(() => (this.pending = null)));
  }
}
