import semver from 'semver';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginManifest } from '../../sdk/plugin/manifest.js';

export interface OrderResult {
  /** Plugin ids, each after everything it depends on. */
  order: string[];
  /** Plugins that cannot start, with the reason (missing dependency, cycle, or a failed dependency). */
  refused: Map<string, SwitchboardError>;
}

/**
 * Orders plugins so that dependencies start first. A plugin with a missing or mismatched
 * dependency, in a cycle, or depending on such a plugin is refused with a clear error; the
 * others still start.
 */
export function dependencyOrder(manifests: ReadonlyMap<string, PluginManifest>): OrderResult {
  const refused = new Map<string, SwitchboardError>();
  for (const [id, m] of manifests) {
    for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
      const target = manifests.get(dep);
      if (!target) {
        refused.set(
          id,
          new SwitchboardError(
            'plugin_dependency_missing',
            `Plugin ${id} depends on ${dep} ${range}, which is not enabled.`,
            { details: [{ path: `/dependencies/${dep}`, message: 'is not enabled' }] },
          ),
        );
      } else if (!semver.satisfies(target.version, range)) {
        refused.set(
          id,
          new SwitchboardError(
            'plugin_dependency_missing',
            `Plugin ${id} depends on ${dep} ${range}, but ${dep} ${target.version} is enabled.`,
            { details: [{ path: `/dependencies/${dep}`, message: `${target.version} is not in ${range}` }] },
          ),
        );
      }
    }
  }

  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      for (const member of cycle) {
        if (!refused.has(member))
          refused.set(
            member,
            new SwitchboardError(
              'plugin_dependency_cycle',
              `Plugins depend on each other in a cycle: ${cycle.join(' -> ')}.`,
            ),
          );
      }
      return;
    }
    state.set(id, 'visiting');
    for (const dep of Object.keys(manifests.get(id)?.dependencies ?? {}).sort()) {
      if (manifests.has(dep)) visit(dep, [...path, id]);
    }
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of [...manifests.keys()].sort()) visit(id, []);

  // A plugin whose dependency cannot start cannot start either.
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of order) {
      if (refused.has(id)) continue;
      const bad = Object.keys(manifests.get(id)?.dependencies ?? {}).find((dep) => refused.has(dep));
      if (bad) {
        refused.set(
          id,
          new SwitchboardError(
            'plugin_dependency_missing',
            `Plugin ${id} depends on ${bad}, which cannot start: ${refused.get(bad)!.message}`,
            { details: [{ path: `/dependencies/${bad}`, message: 'cannot start' }] },
          ),
        );
        changed = true;
      }
    }
  }
  return { order: order.filter((id) => !refused.has(id)), refused };
}
