/**
 * An unsigned big-endian integer from `bytes[start, end)` (container formats write sizes and
 * values so), cut short at the bytes' end rather than read past it. Exact up to 2^53: a 64-bit
 * size beyond that is only compared with lengths, which a nearby float does as well.
 */
export function readUintBE(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < Math.min(end, bytes.length); i++) value = value * 256 + bytes[i]!;
  return value;
}
