import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { AppFailureReason, WireError } from './rpc-protocol.js';

/** The sandbox's own failure of an app's request or event: `reason` says which limit or end stopped it. */
export function sandboxFailure(reason: AppFailureReason, message: string, code: 'plugin_failed' | 'plugin_timeout' = 'plugin_failed'): WireError {
  return { name: 'SandboxError', code, message, reason };
}

/** Absolute paths and file URLs, which must not reach an app (or tell it where the host lives). */
const PATHS = /(?:file:\/\/)?(?:\/[\w.@+-]+){2,}/g;

export function withoutPaths(text: string): string {
  return text.replace(PATHS, '<path>');
}

/**
 * A host error as an app may see it: the catalog code, message and details of a
 * SwitchboardError; for anything else only `internal_error`, since its message may hold
 * internals. Never a stack.
 */
export function toWireError(err: unknown, reason?: AppFailureReason): WireError {
  if (err instanceof SwitchboardError) {
    const permission = (err as { permission?: unknown }).permission;
    return {
      name: err.name,
      code: err.code,
      message: withoutPaths(err.message),
      ...(typeof permission === 'string' ? { permission } : {}),
      ...(err.details ? { details: err.details.map((d) => ({ path: d.path, message: withoutPaths(d.message) })) } : {}),
      ...(reason ? { reason } : {}),
    };
  }
  return { name: 'SwitchboardError', code: 'internal_error', message: 'The host hit an unexpected error.', ...(reason ? { reason } : {}) };
}
