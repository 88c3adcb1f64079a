/**
 * The app's addresses. A pattern is literal segments and `:name` parameters; the first match wins.
 * Screens are chosen by route name (shell/app-frame.tsx), so a new screen is one line here and one there.
 */
export const ROUTES = [
  { name: 'home', pattern: '/' },
  { name: 'login', pattern: '/login' },
  { name: 'register', pattern: '/register' },
  { name: 'conversation', pattern: '/c/:conversationId' },
  { name: 'agent', pattern: '/agent' },
  { name: 'admin', pattern: '/admin' },
  { name: 'money', pattern: '/money' },
  { name: 'profile', pattern: '/profile' },
  { name: 'search', pattern: '/search' },
  { name: 'threads', pattern: '/threads' },
  { name: 'business', pattern: '/b/:businessId' },
] as const;

export type RouteName = (typeof ROUTES)[number]['name'] | 'not-found';

export interface Route {
  name: RouteName;
  params: Record<string, string>;
}

/** The route of a path (without query or hash); `not-found` when none matches. */
export function matchRoute(path: string): Route {
  const segments = splitPath(path);
  for (const route of ROUTES) {
    const params = matchSegments(splitPath(route.pattern), segments);
    if (params) return { name: route.name, params };
  }
  return { name: 'not-found', params: {} };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        // A malformed escape cannot name anything: no match.
        return null;
      }
    } else if (part !== segment) return null;
  }
  return params;
}
