import sharp from 'sharp';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/**
 * How many images are worked on at once, and how many more may wait, in this process. sharp runs
 * on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which the host also
 * needs for files, DNS and crypto: images take at most `running` of those threads, one each
 * (sharp.concurrency(1) keeps libvips from fanning one image out over more), so a burst of uploads
 * slows uploads and nothing else. Past `waiting`, an upload is refused with `unavailable` rather
 * than held: each waiting upload holds its bytes in memory.
 */
export class ImageGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) {
        throw new SwitchboardError('unavailable', 'The host is busy with other images; try the upload again.', {
          retryAfterMs: 1_000,
        });
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `active` never dips between them.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Images being worked on and waiting: for tests and metrics. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.queue.length };
  }
}

const threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4;

// Process-wide settings, because the thread pool is the process's: several hosts in one process
// (tests, embedders) share one gate. Uploads are new bytes each time, so sharp's cache only holds memory.
sharp.concurrency(1);
sharp.cache(false);

/** The one gate every image operation of this process goes through. */
export const imageGate = new ImageGate(Math.max(1, Math.min(2, threadPool - 2)), 32);
