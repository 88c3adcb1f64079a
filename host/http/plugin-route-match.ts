import type { RouteContribution } from '../../sdk/plugin/manifest.js';
import { routeKey } from '../plugins/plugin-record.js';

/** A contributed route with its pattern split once, not on every request. */
interface CompiledRoute {
  route: RouteContribution;
  /** The key its handler is registered under. */
  key: string;
  /** The pattern's segments; a parameter's name is kept without its ':'. */
  parts: { literal: string | null; param: string | null }[];
  /** One digit a segment, 0 literal and 1 parameter: the smaller, the more specific. */
  shape: string;
}

/** A manifest's routes, compiled when first asked for (the array lives as long as its manifest). */
const compiled = new WeakMap<readonly RouteContribution[], CompiledRoute[]>();

function compile(routes: readonly RouteContribution[]): CompiledRoute[] {
  let list = compiled.get(routes);
  if (list) return list;
  list = routes.map((route) => {
    const segments = route.path === '/' ? [''] : route.path.split('/').slice(1);
    const parts = segments.map((s) =>
      s.startsWith(':') ? { literal: null, param: s.slice(1) } : { literal: s, param: null },
    );
    return {
      route,
      key: routeKey(route.method, route.path),
      parts,
      shape: parts.map((p) => (p.param === null ? '0' : '1')).join(''),
    };
  });
  compiled.set(routes, list);
  return list;
}

/**
 * The route of `routes` that serves `method` and `path` and that `usable` takes (given its
 * "METHOD /path" key): literal segments beat parameters, so "/items/new" wins over "/items/:id".
 */
export function bestRoute(
  routes: readonly RouteContribution[],
  method: string,
  path: string,
  usable: (key: string) => boolean,
): { route: RouteContribution; key: string; params: Record<string, string> } | null {
  const segments = path.split('/').slice(1);
  let best: { route: RouteContribution; key: string; params: Record<string, string> } | null = null;
  let bestShape = '';
  for (const candidate of compile(routes)) {
    if (candidate.route.method !== method || candidate.parts.length !== segments.length) continue;
    if (best && candidate.shape >= bestShape) continue;
    const params = matchParts(candidate.parts, segments);
    if (!params || !usable(candidate.key)) continue;
    best = { route: candidate.route, key: candidate.key, params };
    bestShape = candidate.shape;
  }
  return best;
}

/** Params by name when `segments` fit the pattern's parts, else null. */
function matchParts(parts: CompiledRoute['parts'], segments: string[]): Record<string, string> | null {
  const params: [string, string][] = [];
  for (let i = 0; i < parts.length; i++) {
    const { literal, param } = parts[i]!;
    const segment = segments[i]!;
    if (param === null) {
      if (literal !== segment) return null;
      continue;
    }
    if (segment === '') return null;
    // A segment that is not percent-encoded UTF-8 holds no value a parameter could take.
    try {
      params.push([param, decodeURIComponent(segment)]);
    } catch {
      return null;
    }
  }
  // fromEntries: a parameter a manifest calls "__proto__" stays an own property.
  return Object.fromEntries(params);
}
