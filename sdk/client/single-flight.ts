/**
 * One run at a time per key: a second call while the first is running shares its promise (Go's
 * singleflight), so two parts of an app asking for the same page cause one request.
 */
export class SingleFlight<K, V> {
  private readonly running = new Map<K, Promise<V>>();

  run(key: K, start: () => Promise<V>): Promise<V> {
    let run = this.running.get(key);
    if (!run) {
      run = start().finally(() => this.running.delete(key));
      this.running.set(key, run);
    }
    return run;
  }
}
