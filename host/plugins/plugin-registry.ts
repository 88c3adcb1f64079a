import { injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginManifest } from '../../sdk/plugin/manifest.js';
import type { PluginRecord } from './plugin-record.js';

/** The configured plugins of this host, by id, in start order. */
@injectable()
export class PluginRegistry {
  private readonly records = new Map<string, PluginRecord>();

  set(record: PluginRecord): void {
    this.records.set(record.id, record);
  }

  get(id: string): PluginRecord | undefined {
    return this.records.get(id);
  }

  all(): PluginRecord[] {
    return [...this.records.values()];
  }

  running(): PluginRecord[] {
    return this.all().filter((r) => r.status === 'running');
  }

  /** Plugins being restarted by the sandbox whose manifest `declares` what was asked for. */
  restarting(declares: (manifest: PluginManifest) => boolean): PluginRecord[] {
    return this.all().filter((r) => r.restarting && r.manifest !== null && declares(r.manifest));
  }
}

/** What a caller gets for something a restarting plugin declared: not its failure, and worth a retry. */
export function pluginRestarting(id: string): SwitchboardError {
  return new SwitchboardError('unavailable', `Plugin ${id} is restarting; retry shortly.`);
}
