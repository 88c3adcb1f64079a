import { SwitchboardError, type PluginHttpRequest, type PluginHttpResponse } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';

/** Host errors a payments call may meet, as the HTTP status the client should see. */
const HOST_STATUS: Record<string, number> = { unavailable: 503, database_transaction_timeout: 503, sandbox_limit: 429, rate_limited: 429 };

/** Runs a route; payment errors (and the host errors a client can act on) become their status and body. */
export function handled(run: (request: PluginHttpRequest) => Promise<PluginHttpResponse>) {
  return async (request: PluginHttpRequest): Promise<PluginHttpResponse> => {
    try {
      return await run(request);
    } catch (err) {
      if (err instanceof PaymentError) return err.toResponse();
      if (err instanceof SwitchboardError && HOST_STATUS[err.code]) {
        return { status: HOST_STATUS[err.code], body: { error: { code: err.code, message: err.message } } };
      }
      throw err;
    }
  };
}
