/** What the admin API shows in place of a secret setting. */
export const HIDDEN_SETTING = '[hidden]';

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A plugin's settings as the operator's console may show them: the values in force, except those
 * its settings schema marks `writeOnly` (an API key, a password), which are replaced, so a secret
 * put in the config never reaches a browser. Walks `properties`, `additionalProperties` and `items`.
 */
export function visibleSettings(schema: unknown, value: unknown): unknown {
  if (!isObject(schema)) return value;
  if (schema.writeOnly === true) return HIDDEN_SETTING;
  if (Array.isArray(value)) return value.map((item) => visibleSettings(schema.items, item));
  if (!isObject(value)) return value;
  const properties = isObject(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      visibleSettings(Object.hasOwn(properties, key) ? properties[key] : schema.additionalProperties, item),
    ]),
  );
}
