import { useMemo, useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useSignedIn } from '../session/session-context';
import { useAttemptKey } from './attempt-key';
import { paymentsApi, type PaymentRequest } from './payments-api';

export interface RequestActions {
  busy: 'pay' | 'decline' | null;
  error: unknown;
  /** The request as the last pay or decline answered it (the message catches up when the bot edits it). */
  result: PaymentRequest | null;
  /** Resolves true once paid (or being paid). */
  pay: (pin: string) => Promise<boolean>;
  decline: () => Promise<boolean>;
  clearError: () => void;
}

/** Paying (with the PIN, under an attempt's idempotency key) or declining a payment request asked of me. */
export function useRequestActions(requestId: string, onChange?: (request: PaymentRequest) => void): RequestActions {
  const { client } = useSignedIn();
  const api = useMemo(() => paymentsApi(client), [client]);
  const key = useAttemptKey();
  const action = useAction();
  const [which, setWhich] = useState<'pay' | 'decline'>('pay');
  const [result, setResult] = useState<PaymentRequest | null>(null);

  const run = async (what: 'pay' | 'decline', call: () => Promise<PaymentRequest>): Promise<boolean> => {
    setWhich(what);
    let done = false;
    await action.run(async () => {
      const request = await call();
      setResult(request);
      onChange?.(request);
      done = true;
    });
    return done;
  };

  return {
    busy: action.busy ? which : null,
    error: action.error,
    result,
    pay: (pin) => {
      return run('pay', async () => {
        try {
          const request = await api.pay(requestId, pin, key.current());
          // Still processing: the same key asks again for the same payment; otherwise this attempt is over.
          if (request.status !== 'processing') key.done();
          return request;
        } catch (failure) {
          key.failed(failure);
          throw failure;
        }
      });
    },
    decline: () => run('decline', () => api.decline(requestId)),
    clearError: action.clear,
  };
}
