import { SwitchboardError, type PluginHttpRequest, type PluginHttpResponse } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';

/** A route handler whose refusals become `{ error: { code, message, details? } }` answers. */
export function handled(run: (request: PluginHttpRequest) => Promise<PluginHttpResponse>) {
  return async (request: PluginHttpRequest): Promise<PluginHttpResponse> => {
    try {
      return await run(request);
    } catch (err) {
      if (err instanceof BusinessError) return err.toResponse();
      // A host refusal the caller can act on (a message body that breaks its type's schema, say).
      if (err instanceof SwitchboardError && err.kind === 'user') {
        return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } } };
      }
      throw err;
    }
  };
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const bodyOf = (r: PluginHttpRequest): Record<string, unknown> => {
  if (!isObject(r.body)) throw new BusinessError('invalid_business_request', 'The body must be a JSON object.');
  return r.body;
};

/** The caller, on routes with auth "user". */
export const me = (r: PluginHttpRequest): string => r.user!.id;
