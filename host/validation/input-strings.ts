import { SwitchboardError, type ErrorDetail } from '../../sdk/errors/switchboard-error.js';

/**
 * The rule every string a client sends must keep, whatever its field, over WebSocket and HTTP
 * (bodies, query and path parameters): well-formed Unicode (no lone UTF-16 surrogate, which JSON
 * can carry as a `\ud800` escape) and no U+0000, which PostgreSQL cannot store in text and SQLite
 * would. Field names count as strings too, and a field named `__proto__` is refused anywhere, as
 * HTTP's JSON parser refuses it. Checked once per frame or request, before any schema.
 */
/** ES2024, on every Node the host runs on (24+); the project's TypeScript lib predates it. */
type WellFormedCheck = string & { isWellFormed(): boolean };

export function stringProblem(s: string): string | null {
  if (!(s as WellFormedCheck).isWellFormed())
    return 'contains a lone UTF-16 surrogate (strings must be well-formed Unicode)';
  if (s.includes('\u0000')) return 'contains U+0000 (NUL), which is not allowed';
  return null;
}

interface Node {
  value: object;
  parent: Node | null;
  key: string;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function pointer(node: Node | null, key: string | null, prefix: string): string {
  const parts: string[] = key === null ? [] : [escapePointer(key)];
  for (let n = node; n && n.parent; n = n.parent) parts.push(escapePointer(n.key));
  const path = parts.length === 0 ? '' : `/${parts.reverse().join('/')}`;
  return `${prefix}${path}` || '/';
}

/** The first string (or field name) of a parsed JSON value that breaks the rule, as a detail; else null. */
export function findStringProblem(root: unknown, prefix = ''): ErrorDetail | null {
  if (typeof root === 'string') {
    const problem = stringProblem(root);
    return problem ? { path: prefix || '/', message: problem } : null;
  }
  if (root === null || typeof root !== 'object') return null;
  // An explicit stack, not recursion: a 256 KiB body can nest far deeper than the call stack.
  const stack: Node[] = [{ value: root, parent: null, key: '' }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node.value)) {
      const items = node.value as unknown[];
      for (let i = 0; i < items.length; i++) {
        const v = items[i];
        if (typeof v === 'string') {
          const problem = stringProblem(v);
          if (problem) return { path: pointer(node, String(i), prefix), message: problem };
        } else if (v !== null && typeof v === 'object') {
          stack.push({ value: v, parent: node, key: String(i) });
        }
      }
      continue;
    }
    const record = node.value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key === '__proto__') return { path: pointer(node, key, prefix), message: 'is not an allowed field' };
      const keyProblem = stringProblem(key);
      if (keyProblem) return { path: pointer(node, null, prefix), message: `has a field name that ${keyProblem}` };
      const v = record[key];
      if (typeof v === 'string') {
        const problem = stringProblem(v);
        if (problem) return { path: pointer(node, key, prefix), message: problem };
      } else if (v !== null && typeof v === 'object') {
        stack.push({ value: v, parent: node, key });
      }
    }
  }
  return null;
}

export function stringProblemError(detail: ErrorDetail): SwitchboardError {
  return new SwitchboardError('invalid_request', `Invalid request: ${detail.path} ${detail.message}`, {
    details: [detail],
  });
}

/** Throws `invalid_request` naming the JSON pointer of the first string that breaks the rule. */
export function assertInputStrings(value: unknown, prefix = ''): void {
  const detail = findStringProblem(value, prefix);
  if (detail) throw stringProblemError(detail);
}
