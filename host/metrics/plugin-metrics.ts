import { Counter, Histogram, type Registry } from 'prom-client';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import {
  checkLabelValues,
  checkMetricDefinition,
  checkMetricValue,
  METRIC_LIMITS,
  OVERFLOW_LABEL_VALUE,
  sameMetric,
  type MetricKind,
  type MetricShape,
} from '../../sdk/plugin/metric-rules.js';

/** One metric of a plugin: `record` checks its arguments (they come from plugin code) and counts. */
export interface PluginMetricRecorder {
  readonly shape: MetricShape;
  record(labels: unknown, value: unknown): void;
}

interface OwnMetric {
  readonly fullName: string;
  readonly recorder: PluginMetricRecorder;
}

/** The name a plugin's metric has on /metrics. Plugin ids have no "_", so "-" → "_" keeps them apart. */
export function pluginMetricName(pluginId: string, name: string): string {
  return `switchboard_plugin_${pluginId.replaceAll('-', '_')}_${name}`;
}

/**
 * The metrics plugins define (ctx.metrics), on the host's own registry. They belong to the plugin
 * id, not to one run of it: a restart or upgrade defines them again and gets the same series back,
 * so counters only reset when the host process does. A purge removes them.
 *
 * Label combinations are bounded per metric (METRIC_LIMITS.seriesPerMetric): a plugin that puts an
 * unbounded value in a label (a user id, a message) would otherwise grow the scrape and the
 * host's memory without end. Past the bound, new combinations are folded into one series whose
 * every label is "other", so totals stay right and the overflow is visible.
 */
export class PluginMetrics {
  private readonly plugins = new Map<string, Map<string, OwnMetric>>();

  constructor(private readonly registry: Registry) {}

  /** The recorder of a plugin's metric, defined now or before; throws metric_invalid. */
  define(pluginId: string, kind: MetricKind, definition: unknown): PluginMetricRecorder {
    const shape = checkMetricDefinition(kind, definition);
    let own = this.plugins.get(pluginId);
    const existing = own?.get(shape.name);
    if (existing) {
      if (!sameMetric(existing.recorder.shape, shape))
        throw new SwitchboardError(
          'metric_invalid',
          `Metric "${shape.name}" is already defined as a ${existing.recorder.shape.kind} with labels [${existing.recorder.shape.labels.join(', ')}]${existing.recorder.shape.buckets ? ` and buckets [${existing.recorder.shape.buckets.join(', ')}]` : ''}; a definition again must be the same.`,
        );
      return existing.recorder;
    }
    if ((own?.size ?? 0) >= METRIC_LIMITS.metricsPerPlugin)
      throw new SwitchboardError(
        'metric_invalid',
        `A plugin defines at most ${METRIC_LIMITS.metricsPerPlugin} metrics.`,
      );
    const fullName = pluginMetricName(pluginId, shape.name);
    if (this.registry.getSingleMetric(fullName))
      throw new SwitchboardError(
        'metric_invalid',
        `The metric name ${fullName} is taken by another plugin or the host.`,
      );
    const recorder = this.create(fullName, shape);
    if (!own) this.plugins.set(pluginId, (own = new Map<string, OwnMetric>()));
    own.set(shape.name, { fullName, recorder });
    return recorder;
  }

  /** Drops every metric of a plugin (its data was purged). */
  remove(pluginId: string): void {
    for (const { fullName } of this.plugins.get(pluginId)?.values() ?? []) this.registry.removeSingleMetric(fullName);
    this.plugins.delete(pluginId);
  }

  private create(fullName: string, shape: MetricShape): PluginMetricRecorder {
    const options = { name: fullName, help: shape.help, labelNames: [...shape.labels], registers: [this.registry] };
    const metric =
      shape.kind === 'counter'
        ? new Counter(options)
        : new Histogram({ ...options, ...(shape.buckets ? { buckets: [...shape.buckets] } : {}) });
    const series = new Set<string>();
    const fold = shape.labels.map(() => OVERFLOW_LABEL_VALUE);
    return {
      shape,
      record(labels, value) {
        let values = checkLabelValues(shape, labels);
        const n = checkMetricValue(shape, value);
        const key = JSON.stringify(values);
        if (!series.has(key)) {
          if (series.size >= METRIC_LIMITS.seriesPerMetric) values = fold;
          else series.add(key);
        }
        const named = Object.fromEntries(shape.labels.map((l, i) => [l, values[i]!]));
        if (metric instanceof Counter) metric.inc(named, n);
        else metric.observe(named, n);
      },
    };
  }
}
