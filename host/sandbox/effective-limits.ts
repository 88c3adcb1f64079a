import { DEFAULT_APP_LIMITS, type AppLimits } from '../../sdk/app/app-limits.js';

/** What the manifest asked for (or the default), capped by the operator's maximum. */
export function effectiveLimits(requested: Partial<AppLimits> | undefined, max: AppLimits): AppLimits {
  const out = {} as AppLimits;
  for (const key of Object.keys(DEFAULT_APP_LIMITS) as (keyof AppLimits)[]) {
    out[key] = Math.min(requested?.[key] ?? DEFAULT_APP_LIMITS[key], max[key]);
  }
  return out;
}
