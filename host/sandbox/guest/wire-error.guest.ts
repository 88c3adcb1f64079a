/**
 * How a value an app threw crosses out of its isolate: a WireError (rpc-protocol.ts), built with
 * the runtime's own captured globals, since describing the value runs app code.
 */
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../../sdk/plugin/plugin-error.js';
import { BOUNDARY_LIMITS } from '../../../sdk/app/boundary-limits.js';
import type { WireError } from '../rpc-protocol.js';
import { toPlainJson } from './plain-json.guest.js';

// Captured before the app's bundle runs: the app may patch the globals, and only hurts itself.
const parse = JSON.parse;

/**
 * How a thrown value is reported. Describing it runs app code (a getter on `message`, a revoked
 * proxy, a throwing toString), so any failure to describe it is itself the report: the event
 * fails now, as the app's error, rather than waiting out its deadline. A PluginError (the app's
 * own refusal) also sends its code, status and details, and a SwitchboardError its code and
 * details: the host decides whether the caller gets them (wire-error.ts readRefusal).
 */
export function wireError(err: unknown): WireError {
  try {
    const e = err as { name?: unknown; message?: unknown };
    const message = (
      typeof e?.message === 'string'
        ? e.message
        : `${typeof err === 'object' && err !== null ? 'a non-Error object' : String(err)}`
    ).slice(0, 2000);
    const name = (typeof e?.name === 'string' ? e.name : 'Error').slice(0, 100);
    // Either SDK copy's error, the app's or this runtime's: both are branded.
    const branded = err instanceof PluginError || err instanceof SwitchboardError;
    if (!branded) return { name, message };
    const { code, status, details } = err as { code?: unknown; status?: unknown; details?: unknown };
    if (typeof code !== 'string') return { name, message };
    let copy: unknown;
    try {
      copy = details === undefined ? undefined : detailsCopy(details);
    } catch (problem) {
      // The refusal cannot be passed on whole, so it is not passed on: the event fails, saying why.
      return {
        name,
        message: `${message} (its details cannot cross the sandbox boundary: ${wireError(problem).message})`.slice(
          0,
          2000,
        ),
      };
    }
    return {
      name,
      message,
      code: code.slice(0, 100),
      ...(err instanceof PluginError && typeof status === 'number' ? { status } : {}),
      ...(copy !== undefined ? { details: copy as WireError['details'] } : {}),
    };
  } catch {
    // Its own error is the app's again (and may throw in turn): the report is that it cannot be described.
    return { name: 'Error', message: 'The app threw a value that cannot be described (its name or message threw).' };
  }
}

/** A copy of an error's details, within the bounds for them (it throws when they cannot cross). */
function detailsCopy(details: unknown): unknown {
  const json = toPlainJson(details, 'details');
  if (json.length > BOUNDARY_LIMITS.errorDetailsChars)
    throw new TypeError(
      `the details are ${json.length} characters of JSON; at most ${BOUNDARY_LIMITS.errorDetailsChars} cross`,
    );
  return parse(json) as unknown;
}
