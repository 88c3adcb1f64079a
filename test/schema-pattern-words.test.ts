/**
 * Every `pattern` in the operator's config schema and the plugin manifest schema has a
 * `patternHint`: the words a config or manifest error gives instead of the regex (an operator or
 * an app author should not have to read one). A pattern added without its words fails here.
 */
import { describe, expect, it } from 'vitest';
import configSchema from '../host/config/config-schema.json' with { type: 'json' };
import manifestSchema from '../sdk/plugin/manifest-schema.json' with { type: 'json' };

/** The JSON pointers of a schema's patterns that have no words. */
function unwordedPatterns(schema: unknown, path = '#'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const here = 'pattern' in node && typeof node.patternHint !== 'string' ? [path] : [];
  return here.concat(...Object.entries(node).map(([key, child]) => unwordedPatterns(child, `${path}/${key}`)));
}

describe('schema patterns come with words', () => {
  it('in the config schema', () => {
    expect(unwordedPatterns(configSchema)).toEqual([]);
  });

  it('in the plugin manifest schema', () => {
    expect(unwordedPatterns(manifestSchema)).toEqual([]);
  });
});
