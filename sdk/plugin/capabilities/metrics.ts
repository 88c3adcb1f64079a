/** The metrics capability: counters and histograms on the host's /metrics. Part of PluginContext (../plugin-context.ts). */

/** Label values by label name: every label the metric declares, each a string of at most 64 characters. */
export type MetricLabels = Readonly<Record<string, string>>;

export interface CounterDefinition {
  /** `[a-z_][a-z0-9_]*`, at most 64 characters; the host shows it as `switchboard_plugin_<id>_<name>`. */
  readonly name: string;
  /** One line for operators, at most 200 characters. */
  readonly help: string;
  /** Label names (at most 8), the same rules as the name; `le` and `quantile` are reserved. */
  readonly labels?: readonly string[];
}

export interface HistogramDefinition extends CounterDefinition {
  /** Upper bounds, increasing (at most 30); default Prometheus's own, from 0.005 to 10 (seconds). */
  readonly buckets?: readonly number[];
}

export interface MetricCounter {
  /** Adds `by` (default 1, never negative) to the series of these label values. */
  inc(labels?: MetricLabels, by?: number): void;
}

export interface MetricHistogram {
  /** Records one observation (latency in seconds, a size) in the series of these label values. */
  observe(labels: MetricLabels, value: number): void;
}

/**
 * permission metrics. Metrics on the host's Prometheus endpoint, named after the plugin so no two
 * plugins (nor the host) collide. Defining a metric again with the same labels and buckets returns
 * the same instrument, also after a restart of the plugin: its series live as long as the host
 * process, and go when the plugin is uninstalled with its data purged. A metric keeps at most 100
 * label combinations; further new ones are counted in one series whose every label is "other".
 * Bad names, labels or values throw SwitchboardError `metric_invalid`.
 */
export interface MetricsCapability {
  counter(definition: CounterDefinition): MetricCounter;
  histogram(definition: HistogramDefinition): MetricHistogram;
}
