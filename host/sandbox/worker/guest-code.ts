import ivm from 'isolated-vm';

/**
 * The guest runtime's script, compiled in each new isolate. V8's code cache for it is made by
 * this worker from the host's own script, once, and reused by every isolate after: it spares
 * each cold start the parse. (A code cache is never taken from an app: untrusted cache data is a
 * way into V8.)
 */
export class GuestCode {
  private cachedData: ivm.ExternalCopy<ArrayBuffer> | undefined;

  constructor(readonly source: string) {}

  compile(isolate: ivm.Isolate): ivm.Script {
    const script = isolate.compileScriptSync(this.source, {
      filename: 'switchboard-runtime.js',
      ...(this.cachedData ? { cachedData: this.cachedData } : { produceCachedData: true }),
    });
    const produced = (script as ivm.Script & ivm.CachedDataResult).cachedData;
    if (!this.cachedData && produced) this.cachedData = produced;
    return script;
  }
}
