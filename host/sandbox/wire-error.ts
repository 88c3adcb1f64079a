import { errorCatalog, isErrorCode } from '../../sdk/errors/error-catalog.js';
import { PermissionDeniedError } from '../../sdk/errors/permission-denied-error.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { Permission } from '../../sdk/plugin/permissions.js';
import { BOUNDARY_LIMITS } from '../../sdk/app/boundary-limits.js';
import { boundedDataProblem } from './bounded-data.js';
import type { AppFailureReason, WireError } from './rpc-protocol.js';

/** The sandbox's own failure of an app's request or event: `reason` says which limit or end stopped it. */
export function sandboxFailure(
  reason: AppFailureReason,
  message: string,
  code: 'plugin_failed' | 'plugin_timeout' = 'plugin_failed',
): WireError {
  return { name: 'SandboxError', code, message, reason };
}

/** Absolute paths and file URLs, which must not reach an app (or tell it where the host lives). */
const PATHS = /(?:file:\/\/)?(?:\/[\w.@+-]+){2,}/g;

/** An error's message as the sandbox may pass it on: host paths hidden, 500 characters at most. */
export function errorText(err: unknown): string {
  return withoutPaths(String((err as Error)?.message ?? err)).slice(0, 500);
}

/** `text` with host paths hidden; `keep` are the input's own JSON paths its details name, which look alike. */
export function withoutPaths(text: string, keep: readonly string[] = []): string {
  return text.replace(PATHS, (path) => (keep.includes(path) ? path : '<path>'));
}

/**
 * A host error as an app may see it: the catalog code, message and details of a
 * SwitchboardError, or the code, status, message and details of a plugin's own PluginError (a
 * service the app called refused it); for anything else only `internal_error`, since its message
 * may hold internals. Never a stack.
 */
export function toWireError(err: unknown, reason?: AppFailureReason): WireError {
  const why = reason ? { reason } : {};
  if (err instanceof PluginError) {
    const details = err.details === undefined ? undefined : detailsCopy(err.details);
    // Details that cannot cross make it a failure, as they do at the host's own call boundary.
    if (typeof err.code === 'string' && isStatus(err.status) && details !== null) {
      return {
        name: String(err.name),
        code: err.code,
        message: withoutPaths(String(err.message)),
        status: err.status,
        ...(details ? { details } : {}),
        ...why,
      };
    }
  } else if (err instanceof SwitchboardError) {
    const permission = (err as { permission?: unknown }).permission;
    const inputPaths = (err.details ?? []).map((d) => d.path);
    return {
      name: err.name,
      code: err.code,
      message: withoutPaths(err.message, inputPaths),
      ...(typeof permission === 'string' ? { permission } : {}),
      ...(err.details
        ? { details: err.details.map((d) => ({ path: d.path, message: withoutPaths(d.message, inputPaths) })) }
        : {}),
      ...retryOf(err.retryAfterMs),
      ...why,
    };
  }
  return { name: 'SwitchboardError', code: 'internal_error', message: 'The host hit an unexpected error.', ...why };
}

/**
 * The refusal a wire error from an app's side describes, as a checked copy: a PluginError's
 * (a code of the app's own, a status of 400–599, details a plain object) or a user
 * SwitchboardError's (a catalog code of kind `user` with its details, but not
 * `permission_denied`: a permission the app lacks is its own failure, as for a trusted plugin).
 * Null for anything else, which is the app's failure. The app's side is not trusted, so every
 * field is checked here, in the worker and again in the host.
 */
export function readRefusal(value: unknown): WireError | null {
  if (typeof value !== 'object' || value === null) return null;
  const wire = value as Partial<Record<keyof WireError, unknown>>;
  if (typeof wire.code !== 'string' || wire.code === '' || wire.code.length > 100 || typeof wire.message !== 'string')
    return null;
  const details = wire.details === undefined ? undefined : detailsCopy(wire.details);
  if (details === null) return null;
  const name = typeof wire.name === 'string' ? wire.name.slice(0, 100) : 'Error';
  const refusal = { name, code: wire.code, message: wire.message.slice(0, 2000) };
  if (wire.status !== undefined) {
    // A plugin's own details are its plain object, not a list.
    if (!isStatus(wire.status) || Array.isArray(details)) return null;
    return { ...refusal, status: wire.status, ...(details ? { details } : {}) };
  }
  if (!isErrorCode(wire.code) || errorCatalog[wire.code].kind !== 'user' || wire.code === 'permission_denied')
    return null;
  if (details !== undefined && !isDetailList(details)) return null;
  return { ...refusal, ...(details ? { details } : {}) };
}

/**
 * The error a wire error stands for, rebuilt on this side (the host's, or the guest runtime's for
 * the app): a PermissionDeniedError, a PluginError (with `status`), a SwitchboardError of the
 * catalog, or else a plain Error; its name and message as they crossed.
 */
export function errorFromWire(wire: WireError, pluginId: string): Error {
  let error: Error;
  if (wire.code === 'permission_denied' && wire.permission) {
    // The rule that refused it (a scope, a private address) crosses as the detail's message.
    const detail = Array.isArray(wire.details) ? wire.details[0]?.message : undefined;
    error = new PermissionDeniedError(
      pluginId,
      wire.permission as Permission,
      detail === 'not granted' ? undefined : detail,
    );
  } else if (wire.code !== undefined && wire.status !== undefined) {
    const details = wire.details !== undefined && !Array.isArray(wire.details) ? wire.details : undefined;
    error = new PluginError(wire.code, { status: wire.status, message: wire.message }, wire.message, details);
  } else if (wire.code && isErrorCode(wire.code)) {
    error = new SwitchboardError(wire.code, wire.message, {
      details: Array.isArray(wire.details) ? wire.details : undefined,
      ...retryOf(wire.retryAfterMs),
    });
  } else {
    error = new Error(wire.message);
  }
  error.message = wire.message;
  if (wire.name) error.name = wire.name;
  return error;
}

/** A wait to cross with an error: a positive whole number of ms, or nothing. */
function retryOf(ms: unknown): { retryAfterMs?: number } {
  return Number.isSafeInteger(ms) && (ms as number) > 0 ? { retryAfterMs: ms as number } : {};
}

function isStatus(status: unknown): status is number {
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599;
}

function isDetailList(details: unknown): details is { path: string; message: string }[] {
  return (
    Array.isArray(details) &&
    details.every(
      (d: { path?: unknown; message?: unknown } | null) => typeof d?.path === 'string' && typeof d.message === 'string',
    )
  );
}

/** A JSON copy of an error's details within the bounds, or null when they cannot cross. */
function detailsCopy(details: unknown): Record<string, unknown> | { path: string; message: string }[] | null {
  try {
    const json = JSON.stringify(details);
    if (json === undefined || json.length > BOUNDARY_LIMITS.errorDetailsChars) return null;
    const copy = JSON.parse(json) as unknown;
    if (typeof copy !== 'object' || copy === null || boundedDataProblem(copy) !== null) return null;
    return copy as Record<string, unknown>;
  } catch {
    // Not JSON data (a cycle, a BigInt, a throwing getter): it cannot cross.
    return null;
  }
}
