/**
 * The rules for plugin metrics, one source for the host (which enforces them) and the sandbox's
 * guest runtime (which checks early, so an app gets its error where it made the mistake).
 */
import { SwitchboardError } from '../errors/switchboard-error.js';
import type { HistogramDefinition } from './capabilities/metrics.js';

export const METRIC_LIMITS = {
  nameChars: 64,
  helpChars: 200,
  labels: 8,
  labelValueChars: 64,
  buckets: 30,
  /** Label combinations kept per metric; further new ones are folded into the "other" series. */
  seriesPerMetric: 100,
  metricsPerPlugin: 50,
  /**
   * Text a plugin's series may take on /metrics together (as written: names, labels, every bucket
   * of a histogram); further new combinations are folded too. Without it the bounds above allow
   * some 200 MB a plugin, built as one string at every scrape.
   */
  seriesBytesPerPlugin: 1024 * 1024,
} as const;

/** The value every label of a folded series has. */
export const OVERFLOW_LABEL_VALUE = 'other';

const NAME = /^[a-z_][a-z0-9_]*$/;
/** Suffixes a histogram's series take: a metric named so would collide with another's. */
const RESERVED_SUFFIX = /_(bucket|sum|count)$/;
const RESERVED_LABELS: ReadonlySet<string> = new Set(['le', 'quantile']);

export type MetricKind = 'counter' | 'histogram';

/** A definition once checked: plain data, copied out of what the plugin passed. */
export interface MetricShape {
  readonly kind: MetricKind;
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histograms only; null for Prometheus's defaults. */
  readonly buckets: readonly number[] | null;
}

function invalid(message: string): never {
  throw new SwitchboardError('metric_invalid', message);
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > METRIC_LIMITS.nameChars || !NAME.test(value))
    invalid(`${what} must match [a-z_][a-z0-9_]* with at most ${METRIC_LIMITS.nameChars} characters.`);
  if (value.startsWith('__')) invalid(`${what} may not start with "__" (Prometheus reserves it).`);
  return value;
}

/** Checks a counter's or histogram's definition; throws metric_invalid naming what is wrong. */
export function checkMetricDefinition(kind: MetricKind, definition: unknown): MetricShape {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    invalid('A metric definition is an object { name, help, labels? }.');
  const d = definition as Partial<Record<keyof HistogramDefinition, unknown>>;
  const name = checkName(d.name, 'A metric name');
  if (RESERVED_SUFFIX.test(name)) invalid(`A metric name may not end in _bucket, _sum or _count ("${name}").`);
  if (typeof d.help !== 'string' || d.help.trim() === '' || d.help.length > METRIC_LIMITS.helpChars)
    invalid(`The help of metric "${name}" must be text of 1 to ${METRIC_LIMITS.helpChars} characters.`);
  const rawLabels = d.labels ?? [];
  if (!Array.isArray(rawLabels) || rawLabels.length > METRIC_LIMITS.labels)
    invalid(`The labels of metric "${name}" must be a list of at most ${METRIC_LIMITS.labels} names.`);
  const labels = (rawLabels as unknown[]).map((l) => checkName(l, `A label name of metric "${name}"`));
  for (const l of labels) if (RESERVED_LABELS.has(l)) invalid(`The label name "${l}" is reserved.`);
  if (new Set(labels).size !== labels.length) invalid(`Metric "${name}" names a label twice.`);
  let buckets: number[] | null = null;
  if (kind === 'histogram' && d.buckets !== undefined) {
    const raw = d.buckets;
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > METRIC_LIMITS.buckets)
      invalid(`The buckets of metric "${name}" must be a list of 1 to ${METRIC_LIMITS.buckets} numbers.`);
    buckets = (raw as unknown[]).map((b, i) => {
      if (typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= (raw[i - 1] as number)))
        invalid(`The buckets of metric "${name}" must be finite numbers, each larger than the one before.`);
      return b;
    });
  } else if (kind === 'counter' && d.buckets !== undefined) {
    invalid(`A counter has no buckets ("${name}").`);
  }
  return { kind, name, help: d.help, labels, buckets };
}

/**
 * The label values of one recording, in the order of the metric's labels: every declared label,
 * no other, each a string of at most 64 characters.
 */
export function checkLabelValues(shape: MetricShape, labels: unknown): string[] {
  const given = labels ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    invalid(`The labels of a "${shape.name}" recording must be an object of label values.`);
  const values = given as Record<string, unknown>;
  const keys = Object.keys(values);
  if (keys.length !== shape.labels.length || keys.some((k) => !shape.labels.includes(k)))
    invalid(`A "${shape.name}" recording takes exactly the labels [${shape.labels.join(', ')}].`);
  return shape.labels.map((l) => {
    const v = values[l];
    if (typeof v !== 'string' || v.length > METRIC_LIMITS.labelValueChars)
      invalid(
        `The value of label "${l}" of "${shape.name}" must be a string of at most ${METRIC_LIMITS.labelValueChars} characters.`,
      );
    return v;
  });
}

/** A counter's increment or a histogram's observation: finite, and for a counter never negative. */
export function checkMetricValue(shape: MetricShape, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (shape.kind === 'counter' && value < 0))
    invalid(
      shape.kind === 'counter'
        ? `A counter ("${shape.name}") is increased by a finite number of at least 0.`
        : `A histogram ("${shape.name}") observes finite numbers.`,
    );
  return value;
}

/** Whether two definitions of one name describe the same metric (help may differ: the first stays). */
export function sameMetric(a: MetricShape, b: MetricShape): boolean {
  return (
    a.kind === b.kind &&
    a.labels.length === b.labels.length &&
    a.labels.every((l, i) => l === b.labels[i]) &&
    JSON.stringify(a.buckets) === JSON.stringify(b.buckets)
  );
}
