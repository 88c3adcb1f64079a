import type { PluginHttpRequest, PluginHttpResponse } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';

/**
 * A route handler. A BusinessError it throws answers with its status and `{ error: { code,
 * message, details? } }`; the host does that for every plugin (docs/plugins.md).
 */
export type RouteHandler = (request: PluginHttpRequest) => Promise<PluginHttpResponse>;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Ids here are UUIDs: anything longer or stranger names nothing (and must not reach a query as such). */
export const isId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id);

/** A text field of the request: 1 to `max` characters, or null when absent and not required. */
export function textField(value: unknown, field: string, max: number, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw new BusinessError('invalid_business_request', `${field} is required.`);
    return null;
  }
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max)
    throw new BusinessError('invalid_business_request', `${field} is a string of 1 to ${max} characters.`);
  return value;
}

export const bodyOf = (r: PluginHttpRequest): Record<string, unknown> => {
  if (!isObject(r.body)) throw new BusinessError('invalid_business_request', 'The body must be a JSON object.');
  return r.body;
};

/** The caller, on routes with auth "user". */
export const me = (r: PluginHttpRequest): string => r.user!.id;
