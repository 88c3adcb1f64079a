import type { StorageCapability } from '../../../sdk/plugin/plugin-context.js';
import type { PluginStorage } from '../plugin-storage.js';
import type { CapabilityGuard } from './capability-guard.js';

export function storageCapability(guard: CapabilityGuard, storage: PluginStorage): StorageCapability {
  const id = guard.pluginId;
  const quota = () => guard.need('storage').quotaBytes;
  return {
    async get<T>(key: string) {
      guard.need('storage');
      return storage.get(id, key) as Promise<{ value: T; version: number; expiresAt: string | null } | null>;
    },
    async set(key, value, options = {}) {
      const quotaBytes = quota();
      return guard.audited('storage', 'set', key, () => storage.set(id, key, value, options, quotaBytes));
    },
    async delete(key, options = {}) {
      guard.need('storage');
      return guard.audited('storage', 'delete', key, () => storage.delete(id, key, options));
    },
    async list<T>(prefix: string, options: { after?: string; limit?: number } = {}) {
      guard.need('storage');
      return storage.list(id, prefix, options) as Promise<{
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
