import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ServiceCaller } from '../../sdk/plugin/plugin-context.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import { callPlugin } from './call-plugin.js';

const SERVICE_TIMEOUT_MS = 10_000;

/** "<plugin id>.<name>", as contributes.services names it and scope.services lists it. */
export function parseServiceName(service: string): { pluginId: string; name: string } | null {
  const dot = typeof service === 'string' ? service.indexOf('.') : -1;
  if (dot <= 0 || dot === service.length - 1) return null;
  return { pluginId: service.slice(0, dot), name: service.slice(dot + 1) };
}

/**
 * Calls between plugins. The provider is found at call time (it must be running and have
 * provided the service); input and output cross the boundary as deep copies, so neither side
 * keeps a reference into the other. The provider learns who calls from the host, never from the
 * caller. Permission and scope checks happen in the caller's capability before this is reached.
 */
@injectable()
export class ServiceRegistry {
  constructor(
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {}

  async call(callerId: string, service: string, input: unknown): Promise<unknown> {
    const target = parseServiceName(service);
    if (!target)
      throw new SwitchboardError(
        'invalid_request',
        `A service is named "<plugin id>.<name>", not "${String(service).slice(0, 100)}".`,
      );
    const copied = copy(
      input,
      () =>
        new SwitchboardError(
          'invalid_request',
          `The input of ${service} cannot be copied (functions, symbols and the like cannot cross plugins).`,
        ),
    );
    const provider = this.registry.get(target.pluginId);
    const handler = provider?.status === 'running' ? provider.handlers.services.get(target.name) : undefined;
    if (!provider || !handler) {
      throw new SwitchboardError(
        'unavailable',
        `The service ${service} is not available: its plugin is not running or has not provided it.`,
      );
    }
    const caller: ServiceCaller = Object.freeze({ pluginId: callerId });
    const output = await callPlugin(
      this.logs,
      {
        pluginId: provider.id,
        kind: 'service',
        what: `service ${target.name}`,
        deadlineMs: SERVICE_TIMEOUT_MS,
        hasCaller: true,
        callerId,
      },
      () => handler(copied, caller),
    );
    return copy(output, () => {
      const err = new Error(`service ${target.name} returned a value that cannot be copied`);
      this.logs.recordFailure(provider.id, `service ${target.name} failed (called by ${callerId})`, err);
      return new SwitchboardError(
        'plugin_failed',
        `The plugin ${provider.id} returned a value from ${service} that cannot be copied.`,
      );
    });
  }
}

function copy(value: unknown, onError: () => SwitchboardError): unknown {
  try {
    return structuredClone(value);
  } catch {
    throw onError();
  }
}
