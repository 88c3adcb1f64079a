/** Recent durations (ms) with when they began, for the operator's stats: p50 and p99 of the last 10,000. */
export class Durations {
  private readonly samples: { began: number; ms: number }[] = [];
  private next = 0;
  private count = 0;

  add(ms: number): void {
    const sample = { began: Date.now() - ms, ms };
    if (this.samples.length < 10_000) this.samples.push(sample);
    else this.samples[this.next] = sample;
    this.next = (this.next + 1) % 10_000;
    this.count++;
  }

  /** Of the kept samples that began at or after `since` (epoch ms), or all of them. */
  summary(since = 0): { count: number; samples: number; p50Ms: number | null; p99Ms: number | null } {
    const sorted = this.samples
      .filter((s) => s.began >= since)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0
        ? null
        : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;
    return { count: this.count, samples: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}
