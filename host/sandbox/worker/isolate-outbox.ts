import type { CapabilityMethod } from '../../../sdk/app/capability-methods.js';
import type { AppFailureReason, LogLevel } from '../rpc-protocol.js';

/** What an isolate needs from the worker around it. */
export interface IsolateOutbox {
  /** `chars`: the length of the arguments' JSON text. */
  call(callId: number, method: CapabilityMethod, args: unknown[], chars: number): void;
  log(level: LogLevel, message: string, data: unknown): void;
  release(handlerId: number): void;
  /** The isolate is gone; every event of it has failed. */
  crashed(reason: AppFailureReason, message: string, threadBusy: boolean): void;
  /** Disposal did not free the isolate's thread: only the worker's end will. */
  stuck(): void;
}
