/**
 * Turns a value the app hands to the host into JSON text, inside the isolate, under fixed bounds.
 * It is the only serializer on the way out: JSON.stringify would run `toJSON` methods, getters
 * and whatever the app patched onto the globals, and could build text of any depth or size. This
 * walks own data properties only, with builtins captured before the app's bundle ran, and stops at
 * the first thing that is not JSON data or that passes a bound. The worker checks the text again.
 */
import { BOUNDARY_LIMITS } from '../../../sdk/app/boundary-limits.js';

const { getOwnPropertyDescriptor, getPrototypeOf, hasOwn, keys } = Object;
const { isArray } = Array;
const { isFinite } = Number;
const stringify = JSON.stringify;
const objectPrototype = Object.prototype;

interface Budget {
  nodes: number;
  chars: number;
}

/** JSON text of `value`, or a TypeError naming the first path that cannot cross. */
export function toPlainJson(value: unknown, label: string): string {
  const budget: Budget = { nodes: BOUNDARY_LIMITS.maxNodes, chars: BOUNDARY_LIMITS.maxChars };
  return encode(value, label, 0, budget);
}

function spend(budget: Budget, chars: number, path: string): void {
  budget.chars -= chars;
  if (--budget.nodes < 0)
    throw new TypeError(
      `${path}: more than ${BOUNDARY_LIMITS.maxNodes} values cross the sandbox boundary in one call.`,
    );
  if (budget.chars < 0)
    throw new TypeError(
      `${path}: more than ${BOUNDARY_LIMITS.maxChars} characters of JSON cross the sandbox boundary in one call.`,
    );
}

function encode(value: unknown, path: string, depth: number, budget: Budget): string {
  switch (typeof value) {
    case 'string': {
      if (value.length > budget.chars) spend(budget, value.length, path);
      const quoted = stringify(value);
      spend(budget, quoted.length, path);
      return quoted;
    }
    case 'number': {
      if (!isFinite(value)) throw new TypeError(`${path} is ${value}; only finite numbers cross the sandbox boundary.`);
      const text = stringify(value);
      spend(budget, text.length, path);
      return text;
    }
    case 'boolean':
      spend(budget, 5, path);
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) {
        spend(budget, 4, path);
        return 'null';
      }
      break;
    default:
      throw new TypeError(
        `${path} is a ${typeof value}; only JSON data (no functions, symbols, bigints or undefined) crosses the sandbox boundary.`,
      );
  }
  if (depth >= BOUNDARY_LIMITS.maxDepth)
    throw new TypeError(`${path} is nested deeper than ${BOUNDARY_LIMITS.maxDepth} levels.`);
  spend(budget, 2, path);
  const object = value as Record<string, unknown>;
  if (isArray(object)) {
    let out = '[';
    const length = object.length;
    for (let i = 0; i < length; i++) {
      const item = readData(object, `${i}`, `${path}[${i}]`);
      if (item === undefined)
        throw new TypeError(`${path}[${i}] is undefined; only JSON data crosses the sandbox boundary.`);
      out += (i === 0 ? '' : ',') + encode(item, `${path}[${i}]`, depth + 1, budget);
    }
    return `${out}]`;
  }
  const proto: unknown = getPrototypeOf(object);
  if (proto !== objectPrototype && proto !== null)
    throw new TypeError(`${path} is not a plain object; only JSON data crosses the sandbox boundary.`);
  let out = '{';
  let first = true;
  const names = keys(object);
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    const item = readData(object, key, `${path}.${key}`);
    if (item === undefined) continue;
    const name = stringify(key);
    spend(budget, name.length + 1, path);
    out += (first ? '' : ',') + name + ':' + encode(item, `${path}.${key}`, depth + 1, budget);
    first = false;
  }
  return `${out}}`;
}

/** A data property's value; a getter is refused rather than run on the way out. */
function readData(object: Record<string, unknown>, key: string, path: string): unknown {
  const descriptor = getOwnPropertyDescriptor(object, key);
  if (!descriptor) return undefined;
  if (!hasOwn(descriptor, 'value'))
    throw new TypeError(`${path} is a getter; only data properties cross the sandbox boundary.`);
  // Read through the object, not the descriptor: a proxy's get trap runs (and may throw) as it would for the app.
  return object[key];
}
