import type { StorageCapability } from '../../../sdk/plugin/plugin-context.js';
import type { PluginStorage } from '../plugin-storage.js';
import type { CapabilityGuard } from './capability-guard.js';
import { optionsArg } from './options-arg.js';

export function storageCapability(guard: CapabilityGuard, storage: PluginStorage): StorageCapability {
  const id = guard.pluginId;
  const quota = () => guard.need('storage').quotaBytes;
  return {
    async get<T>(key: string) {
      guard.need('storage');
      return storage.get(id, key) as Promise<{ value: T; version: number; expiresAt: string | null } | null>;
    },
    async set(key, value, options) {
      const quotaBytes = quota();
      const opts = optionsArg(options, '/2');
      return guard.audited('storage', 'set', key, () => storage.set(id, key, value, opts, quotaBytes));
    },
    async delete(key, options) {
      guard.need('storage');
      const opts = optionsArg(options, '/1');
      return guard.audited('storage', 'delete', key, () => storage.delete(id, key, opts));
    },
    async list<T>(prefix: string, options?: { after?: string; limit?: number }) {
      guard.need('storage');
      return storage.list(id, prefix, optionsArg(options, '/1')) as Promise<{
        entries: { key: string; value: T; version: number }[];
        hasMore: boolean;
      }>;
    },
    async usage() {
      const quotaBytes = quota();
      return { bytes: await storage.usage(id), quotaBytes };
    },
  };
}
