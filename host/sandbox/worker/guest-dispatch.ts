import { dispatchTo, type GuestMessage, type Handlers, type WireError } from '../rpc-protocol.js';
import { refusalReply, refuse, type CallGate } from './call-gate.js';

/**
 * The dispatch behind both callbacks of an isolate: `oneWay` for GUEST_GLOBALS.post, else
 * two-way. `callId` is the id the runtime gave a capability call (see CallGate.admit).
 */
export type GuestDispatch = (method: unknown, payload: unknown, callId: unknown, oneWay: boolean) => string;

/**
 * The single dispatch, the only way out of an app's isolate: each message passes the call gate,
 * then goes to its handler. It runs synchronously on the worker's thread, so it never throws (a
 * thrown host error would carry host stack frames into the isolate): it answers JSON, `{}` or an
 * error. A one-way message's answer reaches no one, so a call refused one-way is handed to
 * `refusedOneWay`, which answers it as the host answers calls.
 *
 * The worker's thread time in it is the app's to pay (`spent`, ns): reading, checking and sending
 * what the app sends costs in proportion to its size, and the thread is shared with the other
 * apps of the worker.
 */
export function guestDispatch(
  gate: CallGate,
  received: Handlers<GuestMessage, string>,
  refusedOneWay: (callId: number, error: WireError) => void,
  spent: (ns: bigint) => void,
): GuestDispatch {
  return (method, payload, callId, oneWay) => {
    const started = process.hrtime.bigint();
    try {
      const admitted = gate.admit(method, payload, callId);
      if (!('error' in admitted)) return dispatchTo(received, admitted);
      if (oneWay && admitted.callId !== undefined) refusedOneWay(admitted.callId, admitted.error);
      return refusalReply(admitted);
    } catch {
      // Whatever went wrong came from the app's message (its error may hold host frames): it is refused as unreadable.
      return refusalReply(refuse('error', 'The call could not be read.'));
    } finally {
      spent(process.hrtime.bigint() - started);
    }
  };
}

/** A message handler whose answer to the app is only that it was taken (`{}`). */
export function answered<M>(handle: (m: M) => void): (m: M) => string {
  return (m) => {
    handle(m);
    return '{}';
  };
}
