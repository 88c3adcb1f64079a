import type { ErrorObject } from 'ajv';

/** One bad field of the operator config, as `switchboard: cannot start [config_invalid]` lists it. */
export interface ConfigErrorDetail {
  path: string;
  message: string;
}

/**
 * Ajv's errors as lines an operator can act on. Most keep Ajv's message at the field's path. A
 * `oneOf` (a plugin entry's "id" or "path", a grant's false or object) is one line saying what
 * the alternatives are, instead of each alternative's own failure followed by "must match exactly
 * one schema in oneOf", which named neither what was wrong nor what would do (and said nothing
 * else when an entry named both "id" and "path"). A `pattern` says the field's `patternHint`
 * rather than the regex.
 */
export function configErrorDetails(errors: readonly ErrorObject[], schema: object): ConfigErrorDetail[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  return errors
    .filter((e) => !oneOfPaths.some((p) => e.schemaPath.startsWith(p)))
    .map((e) => {
      if (e.keyword === 'additionalProperties')
        return {
          path: `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`,
          message: 'is not a known setting',
        };
      if (e.keyword === 'required')
        return {
          path: `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`,
          message: e.message ?? 'is required',
        };
      const message =
        e.keyword === 'oneOf'
          ? (oneOfMessage(schemaAt(schema, e.schemaPath)) ?? e.message)
          : e.keyword === 'pattern'
            ? (patternMessage(schemaAt(schema, e.schemaPath.replace(/\/pattern$/, ''))) ?? e.message)
            : e.message;
      return { path: e.instancePath || '/', message: message ?? 'is invalid' };
    });
}

/** A pattern's words (the field's `patternHint`), since an operator should not have to read a regex. */
function patternMessage(field: unknown): string | undefined {
  const hint = (field as { patternHint?: unknown } | undefined)?.patternHint;
  return typeof hint === 'string' ? `must be ${hint}` : undefined;
}

/** What a oneOf's branches ask, when each is one required field, or one constant or type. */
function oneOfMessage(branches: unknown): string | undefined {
  if (!Array.isArray(branches)) return undefined;
  const required = branches.map((b: { required?: unknown }) =>
    Array.isArray(b?.required) && b.required.length === 1 && Object.keys(b).length === 1 ? String(b.required[0]) : null,
  );
  if (required.every((r) => r !== null))
    return `must have either ${required.map((r) => `"${r}"`).join(' or ')}, not both`;
  const kinds = branches.map((b: { const?: unknown; type?: unknown }) => {
    if (b && Object.keys(b).length === 1 && 'const' in b) return JSON.stringify(b.const);
    if (b && Object.keys(b).length === 1 && typeof b.type === 'string')
      return /^[aeiou]/.test(b.type) ? `an ${b.type}` : `a ${b.type}`;
    return null;
  });
  if (kinds.every((k) => k !== null)) return `must be ${kinds.join(' or ')}`;
  return undefined;
}

/** The schema at an Ajv schemaPath such as `#/properties/plugins/…/oneOf`. */
function schemaAt(schema: object, schemaPath: string): unknown {
  let at: unknown = schema;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
