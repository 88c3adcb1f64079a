import type { AppLimits } from '../../sdk/app/app-limits.js';
import type { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { LogLevel } from './rpc-protocol.js';

/**
 * What the sandbox needs from the plugin kernel, which runs it: narrow on purpose, so that
 * host/sandbox knows nothing of plugins/ (the kernel's records and logs fit these shapes as they are).
 */

/** What the sandbox needs to know of an app to run it (the kernel's plugin record). */
export interface SandboxedApp {
  readonly id: string;
  /** The bundle or TypeScript entry; set for every app whose manifest loaded. */
  readonly entryFile: string | null;
  readonly manifest: { readonly limits?: Partial<AppLimits> } | null;
}

/** An app's own log, the one operators read: lines the app writes, and what the sandbox says about it. */
export interface AppLogSink {
  loggerFor(appId: string): { readonly [L in LogLevel]: (message: string, data?: Record<string, unknown>) => void };
  /** A failure the host saw while serving the app (not an error it answered the app with). */
  recordFailure(appId: string, what: string, err: unknown): void;
}

/** What the kernel lets the sandbox do to an app's plugin record, and where the app's log goes. */
export interface SandboxKernelHooks {
  restart(id: string): Promise<void>;
  disable(id: string, error: SwitchboardError): void;
  readonly logs: AppLogSink;
}
