import type { PluginHttpRequest, PluginHttpResponse } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';

/**
 * A route handler. A BusinessError it throws answers with its status and `{ error: { code,
 * message, details? } }`; the host does that for every plugin (docs/plugins.md).
 */
export type RouteHandler = (request: PluginHttpRequest) => Promise<PluginHttpResponse>;

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const bodyOf = (r: PluginHttpRequest): Record<string, unknown> => {
  if (!isObject(r.body)) throw new BusinessError('invalid_business_request', 'The body must be a JSON object.');
  return r.body;
};

/** The caller, on routes with auth "user". */
export const me = (r: PluginHttpRequest): string => r.user!.id;
