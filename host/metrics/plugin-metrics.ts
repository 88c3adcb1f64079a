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
import type { PluginLogger } from '../../sdk/plugin/plugin-context.js';

/** One metric of a plugin: `record` checks its arguments (they come from plugin code) and counts. */
export interface PluginMetricRecorder {
  readonly shape: MetricShape;
  record(labels: unknown, value: unknown): void;
}

/** The /metrics text a plugin's kept series take, shared by its metrics, and where folding is told. */
interface SeriesBudget {
  usedBytes: number;
  /** Whether the plugin's log has been told that its budget is spent. */
  told: boolean;
  log: Pick<PluginLogger, 'warn'> | null;
}

/** Room for a sample's value (and, in a histogram, its `le` label) after its name and labels. */
const SAMPLE_OVERHEAD_BYTES = 40;
/** prom-client's default buckets, 0.005 … 10. */
const DEFAULT_BUCKET_COUNT = 11;

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
 * host's memory without end. They are bounded per plugin too, by the text they take
 * (METRIC_LIMITS.seriesBytesPerPlugin): 50 histograms of 30 buckets and long labels would
 * otherwise write some 200 MB at each scrape. Past either bound, new combinations are folded into
 * one series whose every label is "other", so totals stay right and the overflow is visible.
 * The plugin's log says so once when each bound is first met (the budget once for the plugin,
 * the combinations once for each metric), not at every recording folded.
 */
export class PluginMetrics {
  private readonly plugins = new Map<string, Map<string, OwnMetric>>();
  private readonly budgets = new Map<string, SeriesBudget>();

  constructor(private readonly registry: Registry) {}

  /** The recorder of a plugin's metric, defined now or before; throws metric_invalid. `log` hears of folding. */
  define(
    pluginId: string,
    kind: MetricKind,
    definition: unknown,
    log: Pick<PluginLogger, 'warn'> | null = null,
  ): PluginMetricRecorder {
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
    let budget = this.budgets.get(pluginId);
    if (!budget) this.budgets.set(pluginId, (budget = { usedBytes: 0, told: false, log }));
    const recorder = this.create(fullName, shape, budget);
    if (!own) this.plugins.set(pluginId, (own = new Map<string, OwnMetric>()));
    own.set(shape.name, { fullName, recorder });
    return recorder;
  }

  /** Drops every metric of a plugin (its data was purged). */
  remove(pluginId: string): void {
    for (const { fullName } of this.plugins.get(pluginId)?.values() ?? []) this.registry.removeSingleMetric(fullName);
    this.plugins.delete(pluginId);
    this.budgets.delete(pluginId);
  }

  private create(fullName: string, shape: MetricShape, budget: SeriesBudget): PluginMetricRecorder {
    const options = { name: fullName, help: shape.help, labelNames: [...shape.labels], registers: [this.registry] };
    const metric =
      shape.kind === 'counter'
        ? new Counter(options)
        : new Histogram({ ...options, ...(shape.buckets ? { buckets: [...shape.buckets] } : {}) });
    const series = new Set<string>();
    const fold = shape.labels.map(() => OVERFLOW_LABEL_VALUE);
    let toldFull = false;
    // A histogram writes each bucket, +Inf, _sum and _count; a counter one line.
    const lines = shape.kind === 'counter' ? 1 : (shape.buckets?.length ?? DEFAULT_BUCKET_COUNT) + 3;
    const labelNamesBytes = shape.labels.reduce((n, l) => n + l.length + 4, 0);
    const seriesBytes = (values: readonly string[]) =>
      lines * (fullName.length + labelNamesBytes + values.reduce((n, v) => n + v.length, 0) + SAMPLE_OVERHEAD_BYTES);
    return {
      shape,
      record(labels, value) {
        let values = checkLabelValues(shape, labels);
        const n = checkMetricValue(shape, value);
        const key = JSON.stringify(values);
        if (!series.has(key)) {
          const bytes = seriesBytes(values);
          if (series.size >= METRIC_LIMITS.seriesPerMetric) {
            values = fold;
            if (!toldFull) {
              toldFull = true;
              budget.log?.warn(
                `metric series folded into "other": ${shape.name} has its ${METRIC_LIMITS.seriesPerMetric} label combinations, and counts new ones there`,
                { metric: shape.name, limit: 'seriesPerMetric', combinations: METRIC_LIMITS.seriesPerMetric },
              );
            }
          } else if (budget.usedBytes + bytes > METRIC_LIMITS.seriesBytesPerPlugin) {
            values = fold;
            if (!budget.told) {
              budget.told = true;
              budget.log?.warn(
                `metric series folded into "other": the plugin's series take their ${METRIC_LIMITS.seriesBytesPerPlugin} bytes of /metrics, and every metric counts new label combinations there`,
                { metric: shape.name, limit: 'seriesBytesPerPlugin', bytes: METRIC_LIMITS.seriesBytesPerPlugin },
              );
            }
          } else {
            series.add(key);
            budget.usedBytes += bytes;
          }
        }
        const named = Object.fromEntries(shape.labels.map((l, i) => [l, values[i]!]));
        if (metric instanceof Counter) metric.inc(named, n);
        else metric.observe(named, n);
      },
    };
  }
}
