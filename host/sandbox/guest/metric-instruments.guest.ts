/**
 * ctx.metrics inside an app's isolate. The recorder is made here, since a function cannot cross
 * the boundary: it checks each recording with the SDK's own rules (the app gets its error where it
 * made the mistake), adds up a turn's counter increments by label values, and sends them, with a
 * turn's histogram observations, as one call per metric when the turn ends. So a loop of a million
 * increments costs the host one call, and nothing the app records waits for the host: a batch the
 * host refuses is reported in the app's log.
 */
import { INSTRUMENTS, type CapabilityMethod, type InstrumentMethod } from '../../../sdk/app/capability-methods.js';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import {
  checkLabelValues,
  checkMetricDefinition,
  checkMetricValue,
  sameMetric,
  type MetricShape,
} from '../../../sdk/plugin/metric-rules.js';
import type { Permission } from '../../../sdk/plugin/permissions.js';
import { BOUNDARY_LIMITS } from '../../../sdk/app/boundary-limits.js';

export interface InstrumentDeps {
  /** One capability call; it settles with the host's answer. */
  call(method: CapabilityMethod, args: unknown[]): Promise<unknown>;
  /** Throws PermissionDeniedError when the app was not granted the permission. */
  need(permission: Permission): void;
  /** A batch the host refused: there is no caller to tell, so the app's log is told. */
  failed(metric: string, err: unknown): void;
}

type Recording = [labels: Record<string, string>, value: number];

// Captured before the app's bundle runs: the app may patch the globals, and only hurts itself.
const resolved = Promise.resolve();
// Always called through `apply` with a promise as `this`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const then = Promise.prototype.then;
const apply = Reflect.apply;

/** Builds ctx.metrics.counter and ctx.metrics.histogram for one app. */
export function metricInstruments(deps: InstrumentDeps): (method: InstrumentMethod, args: unknown[]) => unknown {
  const defined = new Map<string, { shape: MetricShape; instrument: unknown }>();
  return (method, args) => {
    deps.need('metrics');
    const { kind, record } = INSTRUMENTS[method];
    const shape = checkMetricDefinition(kind, args[0]);
    const known = defined.get(shape.name);
    if (known) {
      if (!sameMetric(known.shape, shape))
        throw new SwitchboardError(
          'metric_invalid',
          `Metric "${shape.name}" is already defined with other labels, buckets or kind; a definition again must be the same.`,
        );
      return known.instrument;
    }
    const definition = {
      name: shape.name,
      help: shape.help,
      labels: [...shape.labels],
      ...(shape.buckets ? { buckets: [...shape.buckets] } : {}),
    };
    const send = (recordings?: Recording[]): void =>
      void apply(then, deps.call(method, recordings ? [definition, recordings] : [definition]), [
        undefined,
        (err: unknown) => deps.failed(shape.name, err),
      ]);
    // Defined at once, so the metric is on /metrics before its first recording.
    send();
    const sums = new Map<string, Recording>();
    let observed: Recording[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const recordings = [...sums.values(), ...observed];
      sums.clear();
      observed = [];
      if (recordings.length > 0) send(recordings);
    };
    const add = (labels: unknown, value: unknown) => {
      const values = checkLabelValues(shape, labels);
      const n = checkMetricValue(shape, value);
      const key = JSON.stringify(values);
      const sum = kind === 'counter' ? sums.get(key) : undefined;
      if (sum) sum[1] += n;
      else {
        const named: Record<string, string> = {};
        shape.labels.forEach((l, i) => (named[l] = values[i]!));
        if (kind === 'counter') sums.set(key, [named, n]);
        else observed.push([named, n]);
      }
      if (sums.size + observed.length >= BOUNDARY_LIMITS.metricRecordingsPerCall) flush();
      else if (!scheduled) {
        scheduled = true;
        void apply(then, resolved, [flush]);
      }
    };
    const instrument = Object.freeze(
      record === 'inc'
        ? { inc: (labels?: unknown, by?: unknown) => add(labels, by ?? 1) }
        : { observe: (labels: unknown, value: unknown) => add(labels, value) },
    );
    defined.set(shape.name, { shape, instrument });
    return instrument;
  };
}
