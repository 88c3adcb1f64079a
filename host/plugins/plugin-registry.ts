import { injectable } from 'tsyringe';
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
