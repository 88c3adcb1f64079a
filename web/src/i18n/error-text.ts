import { LocalError } from './local-error';
import { isMessageKey, type Translate } from './translate';

/** What the client library's ClientError carries (and any error body from the host). */
interface ErrorFields {
  code: string;
  requestId?: string;
  retryAfterMs?: number;
}

/** Failures a person cannot fix by changing what they typed: the reference lets the operator find them. */
const REPORTABLE = new Set(['internal_error', 'unavailable']);

/**
 * An error in words for a person: what the web client found itself (a LocalError), else the
 * catalog's sentence for its code: a screen's own `<prefix>.error.<code>` (in the order of
 * `prefixes`) before the app's `error.<code>`; the wait a rate limit asks for; and for an unknown
 * code or a host failure a generic sentence with the request id to quote. Never the raw body.
 */
export function errorText(t: Translate, error: unknown, prefixes: readonly string[] = []): string {
  if (error instanceof LocalError) return t(error.key, error.params);
  const { code, requestId, retryAfterMs } = fieldsOf(error);
  const key = [...prefixes.map((prefix) => `${prefix}.error.${code}`), `error.${code}`].find(isMessageKey);
  const parts = [key ? t(key) : t('error.generic', { code })];
  if (retryAfterMs !== undefined && retryAfterMs > 0) {
    parts.push(t('error.retryIn', { seconds: Math.ceil(retryAfterMs / 1000) }));
  }
  if (requestId && (!key || REPORTABLE.has(code))) parts.push(t('error.reference', { requestId }));
  return parts.join(' ');
}

/** errorText for a screen that knows more codes: its sentences under `<prefix>.error.` come first. */
export function errorTextWith(...prefixes: string[]): (t: Translate, error: unknown) => string {
  return (t, error) => errorText(t, error, prefixes);
}

/** The error's code (`unknown` for a plain exception: a bug, shown generically) and what goes with it. */
export function fieldsOf(error: unknown): ErrorFields {
  if (typeof error !== 'object' || error === null) return { code: 'unknown' };
  const { code, requestId, retryAfterMs } = error as Partial<Record<keyof ErrorFields, unknown>>;
  return {
    code: typeof code === 'string' && code !== '' ? code : 'unknown',
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
  };
}
