/**
 * An open-loop load: operation i is due at i / rate seconds after the start, and starts then
 * whatever became of the ones before. Its latency runs from when it was due to when it ended, so
 * an answer that keeps the next ones waiting counts against them too (no coordinated omission).
 * A closed loop of N clients that never pause measures only its own queue (N / throughput, by
 * Little's law); this measures the server under a load it is asked to carry.
 */
export async function openLoop(
  count: number,
  ratePerS: number,
  operation: (i: number) => Promise<void>,
): Promise<Float64Array> {
  const latencies = new Float64Array(count);
  const failures: unknown[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const dueAt = (i: number) => started + (i * 1000) / ratePerS;
  for (let i = 0; i < count;) {
    for (const now = performance.now(); i < count && dueAt(i) <= now; i++) {
      const at = i;
      // Caught at once: a rejection left for the final Promise.all would end the process first.
      pending.push(
        operation(at).then(
          () => void (latencies[at] = performance.now() - dueAt(at)),
          (err: unknown) => void failures.push(err),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  if (failures.length) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    throw new Error(`${failures.length} of ${count} operations failed; the first: ${first}`);
  }
  return latencies;
}
