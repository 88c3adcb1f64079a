import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/**
 * The checks on what a plugin asks the scheduler for: a job's name, key, payload and due time.
 * They run before any SQL, so a bad request fails the same way whether or not it would be stored.
 */

const JOB_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_PAYLOAD_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 128;
const MIN_INTERVAL_MS = 1000;
/** The latest instant a Date can hold. */
const MAX_TIME = 8.64e15;

export interface OneOffOptions {
  at?: string | Date;
  delayMs?: number;
  payload?: unknown;
  key?: string;
}

export interface RecurringOptions {
  payload?: unknown;
  key?: string;
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', message);
}

export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !JOB_NAME.test(name)) {
    throw invalid('A job name is 1 to 64 characters of a-z, 0-9, "_", "." and "-", starting with a letter.');
  }
}

export function checkKey(key: unknown): asserts key is string | undefined {
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH)) {
    throw invalid(`A job key is a string of 1 to ${MAX_KEY_LENGTH} characters.`);
  }
}

export function checkOptions(options: unknown, call: string, fields: string): void {
  if (!options || typeof options !== 'object') throw invalid(`${call}() takes an options object: { ${fields} }.`);
}

/** When a one-off job is due: at `at` (a past instant means now), `delayMs` after now, or now. */
export function oneOffDueTime(options: OneOffOptions, now: number): number {
  if (options.at !== undefined && options.delayMs !== undefined) throw invalid('Give either at or delayMs, not both.');
  if (options.at !== undefined) {
    const at =
      options.at instanceof Date ? options.at.getTime() : typeof options.at === 'string' ? Date.parse(options.at) : NaN;
    if (!Number.isFinite(at)) throw invalid('at must be a Date or an ISO 8601 date string.');
    return Math.max(at, now);
  }
  if (options.delayMs !== undefined) {
    if (typeof options.delayMs !== 'number' || !Number.isFinite(options.delayMs) || options.delayMs < 0) {
      throw invalid('delayMs must be a non-negative number of milliseconds.');
    }
    return now + Math.round(options.delayMs);
  }
  return now;
}

export function checkInterval(intervalMs: unknown): asserts intervalMs is number {
  if (!Number.isSafeInteger(intervalMs) || (intervalMs as number) < MIN_INTERVAL_MS) {
    throw invalid(`intervalMs must be an integer of at least ${MIN_INTERVAL_MS}.`);
  }
}

export function checkDueTime(runAt: number): void {
  if (runAt > MAX_TIME) throw invalid('A job cannot be due that far in the future.');
}

/** The payload as stored: JSON of at most MAX_PAYLOAD_BYTES. */
export function payloadJson(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload ?? null);
  } catch (err) {
    throw invalid(`A job payload must be JSON: ${(err as Error).message}`);
  }
  if (json === undefined) throw invalid('A job payload must be JSON (not a function).');
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
    throw new SwitchboardError('payload_too_large', `A job payload is at most ${MAX_PAYLOAD_BYTES} bytes of JSON.`);
  }
  return json;
}
