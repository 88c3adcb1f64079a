/**
 * Turns ajv's errors for the manifest schema into problems that read on their own: each names
 * its field (an array's item as `events[0]`), a `oneOf` failure is reported once instead of once
 * per branch that failed, a field in a scope that takes none is reported once, by its name, and a
 * failed pattern says its field's `patternHint` instead of the regex.
 */
import type { ErrorObject } from 'ajv';
import type { ErrorDetail } from '../errors/switchboard-error.js';

export function schemaProblems(errors: readonly ErrorObject[]): ErrorDetail[] {
  // A oneOf failure also reports why each branch failed; the branches only confuse, so the
  // failure is reported once, by the oneOf error itself.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  // An empty scope ({}) refuses a field twice: as not allowed, and as one property too many.
  const extraPaths = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  const problems: ErrorDetail[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`)))
      continue;
    if (e.keyword === 'maxProperties' && extraPaths.has(e.instancePath)) continue;
    const field = fieldName(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      problems.push({
        path: `${e.instancePath}/${extra}`,
        message:
          e.instancePath === '/permissions'
            ? `"${extra}" is not a known permission`
            : `"${extra}" is not an allowed field`,
      });
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      problems.push({ path: `${e.instancePath}/${missing}`, message: `${missing} is required` });
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      problems.push({ path: e.instancePath || '/', message: `${field} must be one of ${allowed}` });
    } else if (e.keyword === 'oneOf') {
      problems.push({
        path: e.instancePath || '/',
        message:
          e.instancePath === '/author'
            ? 'author must be a string (1-128 characters) or { name, email?, url? }'
            : `${field} matches none of its allowed forms`,
      });
    } else if (e.keyword === 'pattern' && typeof e.parentSchema?.patternHint === 'string') {
      problems.push({ path: e.instancePath || '/', message: `${field} must be ${e.parentSchema.patternHint}` });
    } else {
      problems.push({ path: e.instancePath || '/', message: `${field} ${e.message ?? 'is invalid'}` });
    }
  }
  return problems;
}

/** The last segment of a JSON pointer; an array index is shown with its array: `events[0]`. */
function fieldName(pointer: string): string {
  const segments = pointer.split('/');
  const last = segments.pop() || 'manifest';
  return /^\d+$/.test(last) ? `${segments.pop() ?? ''}[${last}]` : last;
}
