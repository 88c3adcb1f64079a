import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { ServicesCapability } from '../../../sdk/plugin/plugin-context.js';
import type { PluginRecord } from '../plugin-record.js';
import type { PluginServices } from '../plugin-services.js';
import type { CapabilityGuard } from './capability-guard.js';
import { coveredByWildcard } from '../grants.js';

/**
 * Services between plugins. Offering one needs no permission, only its declaration in
 * contributes.services; calling one needs services.call with "<id>.<name>" in scope.services
 * (after the operator's narrowing), or "*.<name>" for that service of any plugin (callbacks such
 * as payments' "*.preCheckout"). The caller's identity comes from the guard, never from it.
 */
export function servicesCapability(
  guard: CapabilityGuard,
  record: PluginRecord,
  services: PluginServices,
): ServicesCapability {
  return {
    provide(name, handler) {
      guard.assertRunning();
      if (typeof name !== 'string' || !record.manifest?.contributes?.services?.some((s) => s.name === name)) {
        throw new SwitchboardError(
          'invalid_operation',
          `Declare the service in the manifest: contributes.services [{ "name": "${String(name).slice(0, 64)}" }].`,
        );
      }
      if (typeof handler !== 'function')
        throw new SwitchboardError('invalid_request', 'A service handler must be a function.');
      record.handlers.services.set(name, handler);
    },
    async call<T>(service: string, input: unknown): Promise<T> {
      const scope = guard.need('services.call');
      const allowed = scope.services ?? [];
      if (typeof service !== 'string' || !(allowed.includes(service) || coveredByWildcard(allowed, service))) {
        guard.denied('services.call', `"${String(service).slice(0, 100)}" is not in scope.services`);
      }
      // The registry answers unknown; the SDK's signature lets the caller name what the service returns.
      return (await guard.audited('services', 'call', service, () =>
        services.serviceRegistry.call(guard.pluginId, service, input),
      )) as T;
    },
  };
}
