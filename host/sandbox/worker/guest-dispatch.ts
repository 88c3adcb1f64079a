import { dispatchTo, type GuestMessage, type Handlers, type SendReply } from '../rpc-protocol.js';
import type { CallGate } from './call-gate.js';

/**
 * The single dispatch callback, the only way out of an app's isolate: each message passes the
 * call gate, then goes to its handler. It runs synchronously while the isolate waits, so it never
 * throws (a thrown host error would carry host stack frames into the isolate): it answers JSON,
 * an id or an error.
 */
export function guestDispatch(
  gate: CallGate,
  received: Handlers<GuestMessage, string>,
): (method: unknown, payload: unknown) => string {
  return (method, payload) => {
    try {
      const admitted = gate.admit(method, payload);
      return 'refusal' in admitted ? admitted.refusal : dispatchTo(received, admitted);
    } catch {
      // Whatever went wrong came from the app's message (its error may hold host frames): it is refused as unreadable.
      return JSON.stringify({
        error: {
          name: 'SwitchboardError',
          code: 'invalid_request',
          message: 'The call could not be read.',
          reason: 'error',
        },
      } satisfies SendReply);
    }
  };
}
