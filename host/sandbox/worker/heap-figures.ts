import type ivm from 'isolated-vm';

/** How long a ping waits for an isolate's heap figures before answering with the last ones. */
const READ_WAIT_MS = 50;

/**
 * An isolate's heap and external (ArrayBuffer) memory, for operators and for the worker memory
 * cap's blame. Reading them waits for the isolate's thread, which a builtin that ignores
 * termination can hold for ever: so never synchronously (the worker would stop answering), one
 * read at a time, and a reader waits only briefly before taking the last figures.
 */
export class HeapFigures {
  private last = { used: 0, external: 0 };
  private reading: Promise<void> | null = null;

  constructor(private readonly isolate: ivm.Isolate) {}

  async read(): Promise<{ used: number; external: number }> {
    if (this.isolate.isDisposed) return this.last;
    this.reading ??= this.isolate
      .getHeapStatistics()
      .then(
        (heap) => {
          this.last = { used: heap.used_heap_size, external: heap.externally_allocated_size };
        },
        () => {
          /* disposed meanwhile, or an unhandled rejection of the app's handed to this read */
        },
      )
      .finally(() => {
        this.reading = null;
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.reading,
      new Promise((resolve) => {
        timer = setTimeout(resolve, READ_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    return this.last;
  }
}
