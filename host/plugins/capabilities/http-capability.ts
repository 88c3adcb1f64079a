import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { HttpCapability } from '../../../sdk/plugin/plugin-context.js';
import { routeKey, type PluginRecord } from '../plugin-record.js';
import type { PluginServices } from '../plugin-services.js';
import { ensureWebhookSecret } from '../webhook-signature.js';
import type { CapabilityGuard } from './capability-guard.js';
import { isNonPublicAddress } from '../../outbound/address-ranges.js';
import { exchangeFailed, sendRequest } from '../../outbound/outbound-exchange.js';
import { checkRequest, hostAdmission, wildcardLookup } from './fetch-request-rules.js';

/**
 * HTTP routes under /plugins/<id>/, for the routes the manifest contributes (http/plugin-http-router.ts, PluginHttpRouter
 * serves them and enforces their auth), the plugin's webhook secret for "signature" routes, and
 * outbound requests to the hosts in scope.hosts (fetch-request-rules.ts), over the plugin's own
 * connections and within its share of requests in flight (outbound-pool.ts).
 */
export function httpCapability(guard: CapabilityGuard, record: PluginRecord, services: PluginServices): HttpCapability {
  return {
    route(method, path, handler) {
      guard.need('http.routes');
      const upper = typeof method === 'string' ? method.toUpperCase() : '';
      if (!record.manifest?.contributes?.routes?.some((r) => r.method === upper && r.path === path)) {
        throw new SwitchboardError(
          'invalid_operation',
          `Declare the route in the manifest: contributes.routes [{ "method": "${upper || String(method)}", "path": "${String(path)}", "auth": "user" | "signature" | "none" }].`,
        );
      }
      if (typeof handler !== 'function')
        throw new SwitchboardError('invalid_request', 'A route handler must be a function.');
      record.handlers.routes.set(routeKey(upper, path), handler);
    },
    async webhookSecret() {
      guard.need('http.routes');
      return ensureWebhookSecret(services.db.knex, record.id);
    },
    async fetch(url, request) {
      const scope = guard.need('http.outbound');
      const checked = checkRequest(url, request);
      const admission = hostAdmission(scope.hosts, checked.url);
      if (admission === 'denied')
        guard.denied('http.outbound', `"${checked.url.host.slice(0, 100)}" matches no pattern in scope.hosts`);
      // A wildcard is for the internet: loopback and private networks must be named.
      if (admission === 'wildcard' && isNonPublicAddress(checked.url.hostname)) {
        guard.denied(
          'http.outbound',
          `"${checked.url.host.slice(0, 100)}" is a private address, which a wildcard pattern does not reach; name it in scope.hosts`,
        );
      }
      // Sent over the plugin's own connections, once fewer than its share are out; what the pool
      // refuses (a full queue, a deadline passed waiting, the plugin stopped) was never sent.
      const pool = services.outbound.of(record.id, record.manifest?.runtime === 'sandbox');
      const outcome = await pool.run(
        checked.timeoutMs,
        () =>
          exchangeFailed(
            checked,
            `no complete response within ${checked.timeoutMs} ms (it waited all that time behind the plugin's ${pool.share.inFlight} requests in flight)`,
          ),
        (timeoutMs) =>
          sendRequest(checked, admission === 'named' ? undefined : wildcardLookup, pool.agents, timeoutMs).then(
            (response) => ({ response }),
            (error: unknown) => ({ error }),
          ),
      );
      // Audited once sent, failed or not (a request that timed out may still have arrived); never the body.
      await guard.audited('http', 'fetch', `${checked.method} ${checked.url.host}`, () => Promise.resolve(outcome));
      if ('error' in outcome) throw outcome.error;
      return outcome.response;
    },
  };
}
