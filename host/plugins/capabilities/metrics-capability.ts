import type {
  MetricCounter,
  MetricHistogram,
  MetricsCapability,
  PluginLogger,
} from '../../../sdk/plugin/plugin-context.js';
import type { PluginMetricRecorder, PluginMetrics } from '../../metrics/plugin-metrics.js';
import type { CapabilityGuard } from './capability-guard.js';

/**
 * Counters and histograms on the host's /metrics, each call checked against the `metrics`
 * permission. Recording checks with needWithinTransaction: it touches no database, so a plugin
 * may count inside its own transaction. One run of the plugin gets the same instrument object for
 * the same name; a new run gets new objects over the same series (plugin-metrics.ts). The plugin's
 * log hears when its series start being folded into "other".
 */
export function metricsCapability(
  guard: CapabilityGuard,
  metrics: PluginMetrics,
  log: PluginLogger,
): MetricsCapability {
  const counters = new Map<PluginMetricRecorder, MetricCounter>();
  const histograms = new Map<PluginMetricRecorder, MetricHistogram>();
  return {
    counter(definition) {
      guard.needWithinTransaction('metrics');
      const recorder = metrics.define(guard.pluginId, 'counter', definition, log);
      let counter = counters.get(recorder);
      if (!counter) {
        counter = Object.freeze({
          inc(labels?: unknown, by?: unknown) {
            guard.needWithinTransaction('metrics');
            recorder.record(labels, by ?? 1);
          },
        });
        counters.set(recorder, counter);
      }
      return counter;
    },
    histogram(definition) {
      guard.needWithinTransaction('metrics');
      const recorder = metrics.define(guard.pluginId, 'histogram', definition, log);
      let histogram = histograms.get(recorder);
      if (!histogram) {
        histogram = Object.freeze({
          observe(labels: unknown, value: unknown) {
            guard.needWithinTransaction('metrics');
            recorder.record(labels, value);
          },
        });
        histograms.set(recorder, histogram);
      }
      return histogram;
    },
  };
}
