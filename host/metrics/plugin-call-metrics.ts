import { Counter, Histogram, type Registry } from 'prom-client';

/** Where the host called into a plugin (each caller of callPlugin names its kind). */
export type PluginCallKind = 'command' | 'postback' | 'route' | 'service' | 'hook' | 'event' | 'job';
/** ok: answered; refused: the plugin's own refusal reached the caller; failed / timeout: the plugin's fault. */
export type PluginCallOutcome = 'ok' | 'refused' | 'failed' | 'timeout';

interface Children {
  readonly seconds: { observe(value: number): void };
  readonly outcomes: Record<PluginCallOutcome, { inc(value?: number): void }>;
}

/**
 * Calls into plugin code by plugin and kind, recorded once, at the one boundary (callPlugin).
 * The label children are made on a pair's first call and kept, so a call costs two lookups.
 */
export class PluginCallMetrics {
  private readonly calls: Counter<'plugin' | 'kind' | 'outcome'>;
  private readonly seconds: Histogram<'plugin' | 'kind'>;
  private readonly children = new Map<string, Map<PluginCallKind, Children>>();

  constructor(registry: Registry) {
    this.calls = new Counter({
      name: 'switchboard_plugin_calls_total',
      help: 'Calls into plugin code, by plugin, kind and outcome (ok, refused, failed, timeout).',
      labelNames: ['plugin', 'kind', 'outcome'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'switchboard_plugin_call_duration_seconds',
      help: 'How long a call into plugin code took, whatever its outcome, by plugin and kind.',
      labelNames: ['plugin', 'kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  record(plugin: string, kind: PluginCallKind, seconds: number, outcome: PluginCallOutcome): void {
    const c = this.childrenOf(plugin, kind);
    c.seconds.observe(seconds);
    c.outcomes[outcome].inc();
  }

  private childrenOf(plugin: string, kind: PluginCallKind): Children {
    let byKind = this.children.get(plugin);
    if (!byKind) this.children.set(plugin, (byKind = new Map<PluginCallKind, Children>()));
    let c = byKind.get(kind);
    if (!c) {
      const outcome = (o: PluginCallOutcome) => this.calls.labels({ plugin, kind, outcome: o });
      c = {
        seconds: this.seconds.labels({ plugin, kind }),
        // Every outcome starts at 0, so a rate of failures exists before the first failure.
        outcomes: {
          ok: outcome('ok'),
          refused: outcome('refused'),
          failed: outcome('failed'),
          timeout: outcome('timeout'),
        },
      };
      for (const o of Object.values(c.outcomes)) o.inc(0);
      byKind.set(kind, c);
    }
    return c;
  }
}
