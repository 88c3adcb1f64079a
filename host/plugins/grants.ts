import type { PluginManifest } from '../../sdk/plugin/manifest.js';
import { parsePattern, patternAdmits } from '../outbound/host-patterns.js';
import { PERMISSION_NAMES, type Permission, type PermissionScope } from '../../sdk/plugin/permissions.js';

export const DEFAULT_STORAGE_QUOTA_BYTES = 1_048_576;
export const DEFAULT_SCHEDULER_MAX_JOBS = 1_000;
export const DEFAULT_SCHEDULER_QUOTA_BYTES = 1_048_576;

/** Numeric limits in a scope, with their defaults: the operator can lower them, never raise them. */
const LIMITS: Partial<Record<Permission, Record<string, number>>> = {
  storage: { quotaBytes: DEFAULT_STORAGE_QUOTA_BYTES },
  scheduler: { maxJobs: DEFAULT_SCHEDULER_MAX_JOBS, quotaBytes: DEFAULT_SCHEDULER_QUOTA_BYTES },
};

/** A scope once granted: the numeric limits always hold a number (the default when none was asked). */
export interface EffectiveScopes {
  storage: { quotaBytes: number };
  scheduler: { maxJobs: number; quotaBytes: number };
}

export type EffectiveScope<P extends Permission> = P extends keyof EffectiveScopes
  ? EffectiveScopes[P]
  : PermissionScope<P>;

/** Granted permissions with their effective scope, typed by permission: what capability checks read. */
export class GrantedScopes {
  private readonly scopes = new Map<Permission, unknown>();

  set<P extends Permission>(permission: P, scope: EffectiveScope<P>): void {
    this.scopes.set(permission, scope);
  }

  get<P extends Permission>(permission: P): EffectiveScope<P> | undefined {
    return this.scopes.get(permission) as EffectiveScope<P> | undefined;
  }

  has(permission: Permission): boolean {
    return this.scopes.has(permission);
  }

  keys(): IterableIterator<Permission> {
    return this.scopes.keys();
  }
}

export interface Grants {
  readonly granted: GrantedScopes;
  readonly refused: readonly Permission[];
}

/**
 * What the plugin may do: what it requested, less what the operator refused; an operator
 * scope narrows the requested one (a smaller quota, fewer events, services or hosts).
 */
export function computeGrants(
  manifest: PluginManifest,
  operator: Record<string, false | Record<string, unknown>> = {},
): Grants {
  const granted = new GrantedScopes();
  const refused: Permission[] = [];
  for (const permission of PERMISSION_NAMES) {
    const requested = manifest.permissions?.[permission];
    if (requested === undefined) continue;
    const decision = operator[permission];
    if (decision === false) {
      refused.push(permission);
      continue;
    }
    // The manifest schema and the operator config's schema fixed each permission's scope shape.
    granted.set(permission, narrow(permission, requested, decision ?? {}));
  }
  return { granted, refused };
}

function narrow(
  permission: Permission,
  requested: Record<string, unknown>,
  operator: Record<string, unknown>,
): Record<string, unknown> {
  const limits = LIMITS[permission];
  if (limits) {
    const scope: Record<string, number> = {};
    for (const [name, fallback] of Object.entries(limits)) {
      const wanted = (requested[name] as number | undefined) ?? fallback;
      const cap = operator[name];
      scope[name] = typeof cap === 'number' ? Math.min(wanted, cap) : wanted;
    }
    return scope;
  }
  for (const listKey of ['events', 'services', 'hosts'] as const) {
    if (Array.isArray(requested[listKey]) && Array.isArray(operator[listKey])) {
      const allowed = new Set(operator[listKey] as string[]);
      const kept = (requested[listKey] as string[]).filter((x) => allowed.has(x));
      // A requested "*.name" (that service of any plugin) may be narrowed to named plugins.
      if (listKey === 'services')
        kept.push(
          ...[...allowed].filter((o) => !kept.includes(o) && coveredByWildcard(requested.services as string[], o)),
        );
      // Requested host patterns may be narrowed to patterns they cover ("*" to "*.example.com").
      if (listKey === 'hosts')
        kept.push(
          ...[...allowed].filter((o) => !kept.includes(o) && hostPatternCovered(requested.hosts as string[], o)),
        );
      return { ...requested, [listKey]: kept };
    }
  }
  return requested;
}

/** Whether a service name like "shop.businessEvent" is covered by a requested "*.businessEvent". */
export const coveredByWildcard = (patterns: readonly string[], service: string): boolean =>
  !service.startsWith('*.') &&
  patterns.some(
    (p) =>
      p.startsWith('*.') &&
      service.endsWith(p.slice(1)) &&
      service.indexOf('.') > 0 &&
      service.indexOf('.') === service.length - p.length + 1,
  );

/**
 * Whether an operator's host pattern asks for no more than some requested pattern allows: "*"
 * covers every pattern, "*.example.com" covers "api.example.com" and "*.api.example.com", a
 * host without a port covers that host with any port.
 */
export function hostPatternCovered(requested: readonly string[], pattern: string): boolean {
  const { host, port } = parsePattern(pattern);
  return requested.some((r) => patternAdmits(parsePattern(r), host, port));
}
