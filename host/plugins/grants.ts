import type { PluginManifest } from '../../sdk/plugin/manifest.js';
import { PERMISSION_NAMES, type Permission } from '../../sdk/plugin/permissions.js';

export const DEFAULT_STORAGE_QUOTA_BYTES = 1_048_576;

export interface Grants {
  /** Granted permissions with their effective scope. */
  readonly granted: ReadonlyMap<Permission, Record<string, unknown>>;
  readonly refused: readonly Permission[];
}

/**
 * What the plugin may do: what it requested, less what the operator refused; an operator
 * scope narrows the requested one (a smaller quota, fewer events or services).
 */
export function computeGrants(manifest: PluginManifest, operator: Record<string, false | Record<string, unknown>> = {}): Grants {
  const granted = new Map<Permission, Record<string, unknown>>();
  const refused: Permission[] = [];
  for (const permission of PERMISSION_NAMES) {
    const requested = manifest.permissions?.[permission] as Record<string, unknown> | undefined;
    if (requested === undefined) continue;
    const decision = operator[permission];
    if (decision === false) {
      refused.push(permission);
      continue;
    }
    granted.set(permission, narrow(permission, requested, decision ?? {}));
  }
  return { granted, refused };
}

function narrow(permission: Permission, requested: Record<string, unknown>, operator: Record<string, unknown>): Record<string, unknown> {
  if (permission === 'storage') {
    const wanted = (requested.quotaBytes as number | undefined) ?? DEFAULT_STORAGE_QUOTA_BYTES;
    const cap = operator.quotaBytes as number | undefined;
    return { quotaBytes: typeof cap === 'number' ? Math.min(wanted, cap) : wanted };
  }
  for (const listKey of ['events', 'services'] as const) {
    if (Array.isArray(requested[listKey]) && Array.isArray(operator[listKey])) {
      const allowed = new Set(operator[listKey] as string[]);
      return { ...requested, [listKey]: (requested[listKey] as string[]).filter((x) => allowed.has(x)) };
    }
  }
  return requested;
}
