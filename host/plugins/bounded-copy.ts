/**
 * A JSON-shaped copy of an arbitrary value, bounded while it is made: the walk stops once the byte
 * budget is spent, so a giant object handed over by a plugin is never serialized whole in the host.
 * It never throws: whatever throws (a getter, toJSON, a revoked proxy) becomes a marker string.
 */
export interface BoundedCopyLimits {
  /** Size of JSON.stringify(copy) in UTF-8 bytes, markers included (meant for budgets of 64 and up). */
  maxBytes: number;
  /** Objects and arrays nested deeper than this become a marker. */
  maxDepth: number;
  /** Keys looked at per object (items per array); the rest become a marker. */
  maxKeys: number;
  /** Characters kept of any one string, so one long string cannot take the whole budget. */
  maxStringChars?: number;
}

export interface BoundedCopyResult {
  /** JSON-safe: only plain objects, arrays, strings, finite numbers, booleans and null. */
  value: unknown;
  /** Approximately (and at most) the UTF-8 size of JSON.stringify(value). */
  bytes: number;
  /** Something was left out, cut short or replaced by a marker. */
  truncated: boolean;
}

/** Stands for everything after the point where the byte budget ran out. */
export const TRUNCATED = '[truncated]';
/** The key under which an object carries TRUNCATED or "[more keys]". */
export const MARKER_KEY = '…';
export const CYCLE = '[cycle]';
export const DEPTH_LIMIT = '[depth limit]';
export const THREW = '[threw]';

const SKIP = Symbol('omitted, as JSON omits undefined, functions and symbols');
const NO_ROOM = Symbol('the budget cannot hold even this value');
type Copied = unknown;
// Kept back from the walk so the one TRUNCATED marker always fits: `,"…":"[truncated]"` is 20 bytes.
const RESERVE = 24;
// Decimal printing of a huge BigInt is superlinear; past this it is not printed.
const BIGINT_PRINTABLE = 10n ** 100n;
const ELLIPSIS = '…';

export function boundedCopy(value: unknown, limits: BoundedCopyLimits): BoundedCopyResult {
  try {
    const walker = new Walker(limits);
    const copied = walker.copy(() => value, 0, '');
    if (copied === SKIP) return { value: null, bytes: 4, truncated: false };
    if (copied === NO_ROOM) return { value: TRUNCATED, bytes: jsonBytes(TRUNCATED), truncated: true };
    return { value: copied, bytes: walker.used, truncated: walker.truncated };
  } catch {
    // Only a failure of the walker itself (say, a stack overflow) lands here.
    return { value: THREW, bytes: jsonBytes(THREW), truncated: true };
  }
}

class Walker {
  used = 0;
  truncated = false;
  /** The budget ran out: containers stop, and the innermost one open adds the TRUNCATED marker. */
  private exhausted = false;
  private markerPlaced = false;
  private readonly ancestors = new Set<object>();
  private readonly budget: number;

  constructor(private readonly limits: BoundedCopyLimits) {
    this.budget = Math.max(0, limits.maxBytes - RESERVE);
  }

  /** `read` runs inside the guard, so a throwing getter costs only its own value. */
  copy(read: () => unknown, depth: number, key: string): Copied {
    const before = this.used;
    try {
      return this.copyValue(read(), depth, key);
    } catch {
      // The value's own code threw (a getter, toJSON, a revoked proxy): the copy never throws, so a
      // marker stands in for this value alone, and the error, the value's own object, is not read.
      this.used = before;
      this.truncated = true;
      return this.string(THREW);
    }
  }

  private copyValue(value: unknown, depth: number, key: string): Copied {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.literal(Number.isFinite(value) ? value : null);
      case 'boolean':
        return this.literal(value);
      case 'bigint':
        return this.string(value < BIGINT_PRINTABLE && value > -BIGINT_PRINTABLE ? `${value}` : '[bigint]');
      case 'undefined':
      case 'function':
      case 'symbol':
        return SKIP;
    }
    if (value === null) return this.literal(null);
    const obj = value as object;
    if (depth >= this.limits.maxDepth) return this.marker(DEPTH_LIMIT);
    if (this.ancestors.has(obj)) return this.marker(CYCLE);
    if (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) {
      // A Buffer's own toJSON would build an array of every byte.
      return this.marker(`[binary, ${(obj as ArrayBuffer).byteLength} bytes]`);
    }
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    // depth + 1: a toJSON returning objects with their own toJSON could otherwise recurse forever.
    if (typeof toJSON === 'function') return this.copy(() => toJSON.call(obj, key), depth + 1, key);
    this.ancestors.add(obj);
    try {
      return Array.isArray(obj) ? this.array(obj, depth) : this.object(obj, depth);
    } finally {
      this.ancestors.delete(obj);
    }
  }

  private array(arr: readonly unknown[], depth: number): Copied {
    if (!this.charge(2)) return NO_ROOM;
    const out: unknown[] = [];
    const length = arr.length;
    const looked = Math.min(length, this.limits.maxKeys);
    for (let i = 0; i < looked && !this.exhausted; i++) {
      const comma = out.length > 0 ? 1 : 0;
      if (!this.charge(comma)) break;
      let item = this.copy(() => arr[i], depth + 1, String(i));
      if (item === SKIP) item = this.literal(null);
      if (item === NO_ROOM) {
        this.used -= comma;
        break;
      }
      out.push(item);
    }
    if (!this.exhausted && length > looked) {
      const more = this.marker(`[${length - looked} more items]`, out.length > 0 ? 1 : 0);
      if (more !== NO_ROOM) out.push(more);
    }
    if (this.exhausted && !this.markerPlaced) {
      this.used += jsonBytes(TRUNCATED) + (out.length > 0 ? 1 : 0);
      out.push(TRUNCATED);
      this.markerPlaced = true;
    }
    return out;
  }

  private object(obj: object, depth: number): Copied {
    if (!this.charge(2)) return NO_ROOM;
    const out: Record<string, unknown> = {};
    let kept = 0;
    let looked = 0;
    for (const key of keysOf(obj)) {
      if (this.exhausted) break;
      if (++looked > this.limits.maxKeys) {
        const more = this.marker('[more keys]', jsonBytes(MARKER_KEY) + 1 + (kept > 0 ? 1 : 0));
        if (more !== NO_ROOM) out[MARKER_KEY] = more;
        break;
      }
      // The length check first: a huge key must not be serialized to learn that it does not fit.
      const keyBytes = key.length > this.room() ? Infinity : jsonBytes(key) + 1 + (kept > 0 ? 1 : 0);
      if (!this.charge(keyBytes)) break;
      const item = this.copy(() => (obj as Record<string, unknown>)[key], depth + 1, key);
      if (item === SKIP || item === NO_ROOM) {
        this.used -= keyBytes;
        if (item === NO_ROOM) break;
        continue;
      }
      // Assigning "__proto__" (an own key from JSON.parse) would set the copy's prototype instead.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      else out[key] = item;
      kept++;
    }
    if (this.exhausted && !this.markerPlaced) {
      this.used += jsonBytes(MARKER_KEY) + 1 + jsonBytes(TRUNCATED) + (kept > 0 ? 1 : 0);
      out[MARKER_KEY] = TRUNCATED;
      this.markerPlaced = true;
    }
    return out;
  }

  /**
   * The string, cut to maxStringChars and to the room left (then ending in "…"). Always a fresh
   * string: a slice of a plugin's 1 MiB string would otherwise keep the whole 1 MiB alive.
   */
  private string(s: string): Copied {
    const room = this.room();
    let text = s;
    let cut = false;
    let outOfRoom = false;
    if (text.length > (this.limits.maxStringChars ?? Infinity)) {
      text = cutAt(text, this.limits.maxStringChars!);
      cut = true;
    }
    // Every character takes at least a byte: cut by length first, so nothing big is serialized.
    if (text.length + 2 > room) {
      text = cutAt(text, room - 2);
      cut = outOfRoom = true;
    }
    let json = JSON.stringify(cut ? text + ELLIPSIS : text);
    let size = Buffer.byteLength(json);
    // Escapes and multi-byte characters make it larger than its length; shrink in proportion.
    for (let round = 0; size > room && text.length > 0 && round < 8; round++) {
      text = cutAt(text, Math.min(text.length - 1, Math.floor((text.length * room) / size) - 4));
      cut = outOfRoom = true;
      json = JSON.stringify(text + ELLIPSIS);
      size = Buffer.byteLength(json);
    }
    if (size > room) return this.noRoom();
    if (cut) this.truncated = true;
    if (outOfRoom) this.exhausted = true;
    this.used += size;
    return JSON.parse(json) as string;
  }

  private literal(value: number | boolean | null): Copied {
    return this.charge(String(value).length) ? value : NO_ROOM;
  }

  /** A marker in place of a value (plus `extra` bytes of key and comma around it). */
  private marker(text: string, extra = 0): Copied {
    this.truncated = true;
    return this.charge(jsonBytes(text) + extra) ? text : NO_ROOM;
  }

  private charge(bytes: number): boolean {
    if (bytes > this.room()) {
      this.noRoom();
      return false;
    }
    this.used += bytes;
    return true;
  }

  private noRoom(): typeof NO_ROOM {
    this.exhausted = true;
    this.truncated = true;
    return NO_ROOM;
  }

  private room(): number {
    return this.budget - this.used;
  }
}

/** JSON's keys (own enumerable), and for an Error the name, message and stack a log reader wants. */
function* keysOf(obj: object): Generator<string> {
  const isError = obj instanceof Error;
  if (isError) yield* ['name', 'message', 'stack'];
  for (const key in obj) {
    if (isError && (key === 'name' || key === 'message' || key === 'stack')) continue;
    if (Object.prototype.hasOwnProperty.call(obj, key)) yield key;
  }
}

/** The first `chars` characters, without splitting a surrogate pair. */
function cutAt(s: string, chars: number): string {
  if (chars <= 0) return '';
  const last = s.charCodeAt(chars - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? chars - 1 : chars);
}

function jsonBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s));
}
