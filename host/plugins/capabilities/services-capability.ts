import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { ServicesCapability } from '../../../sdk/plugin/plugin-context.js';
import type { PluginRecord } from '../plugin-record.js';
import type { PluginServices } from '../plugin-services.js';
import type { CapabilityGuard } from './capability-guard.js';

// STUB: being implemented. Every method refuses with "unavailable" until then.
export function servicesCapability(guard: CapabilityGuard, record: PluginRecord, services: PluginServices): ServicesCapability {
  void record; void services;
  const notYet = (): never => {
    guard.assertRunning();
    throw new SwitchboardError('unavailable', 'This capability is not available in this version of the host.');
  };
  return new Proxy({} as ServicesCapability, { get: () => notYet });
}
