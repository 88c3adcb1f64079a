/**
 * Runs first in every isolate. WebAssembly (its memory is not counted at all), SharedArrayBuffer
 * and Atomics are removed. isolated-vm's memory limit counts ArrayBuffers through its
 * allocator, but a resizable ArrayBuffer reserves its maximum up front and commits pages on
 * resize() outside that allocator: an app could grow the worker past a GiB while its isolate
 * reported under one MiB. So resizable buffers are refused, and the methods that grow one
 * (resize, and transfer, which keeps resizability) are removed before the app's code can keep
 * a reference to them. The constructor that stands in is also what `.constructor` of every
 * buffer leads to.
 */
const NativeArrayBuffer = ArrayBuffer;
const construct = Reflect.construct;
const defineProperty = Object.defineProperty;
const proto = NativeArrayBuffer.prototype as unknown as Record<string, unknown>;

const g = globalThis as Record<string, unknown>;
delete g.WebAssembly;
delete g.SharedArrayBuffer;
delete g.Atomics;
delete proto.resize;
delete proto.transfer;

function ArrayBufferWithoutResize(this: unknown, length?: unknown, options?: unknown): ArrayBuffer {
  if (new.target === undefined) throw new TypeError("Constructor ArrayBuffer requires 'new'");
  if (
    options !== undefined &&
    options !== null &&
    typeof options === 'object' &&
    (options as { maxByteLength?: unknown }).maxByteLength !== undefined
  ) {
    throw new RangeError(
      'Resizable ArrayBuffers are not available in the sandbox: their memory would escape its limit.',
    );
  }
  return construct(
    NativeArrayBuffer,
    [length],
    new.target === ArrayBufferWithoutResize ? NativeArrayBuffer : new.target,
  ) as ArrayBuffer;
}

defineProperty(ArrayBufferWithoutResize, 'prototype', { value: NativeArrayBuffer.prototype });
// isView is static and uses no `this`: the same function serves the stand-in.
// eslint-disable-next-line @typescript-eslint/unbound-method
defineProperty(ArrayBufferWithoutResize, 'isView', { value: NativeArrayBuffer.isView });
defineProperty(proto, 'constructor', { value: ArrayBufferWithoutResize, writable: true, configurable: true });
defineProperty(globalThis, 'ArrayBuffer', { value: ArrayBufferWithoutResize, writable: true, configurable: true });

export {};
