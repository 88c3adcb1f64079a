import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { useSignedIn } from '../session/session-context';
import { paymentsApi, type Balance, type PaymentRequest, type Transfer } from './payments-api';

export interface MoneyData {
  balances: Balance[];
  /** Sent and received transfers, newest first. */
  history: (Transfer & { direction: 'in' | 'out' })[];
  /** Open requests asked of me. */
  incoming: PaymentRequest[];
}

export type MoneyState =
  | { status: 'loading' }
  | { status: 'ready'; data: MoneyData }
  | { status: 'failed'; error: unknown; data: MoneyData | null };

/**
 * The money screen's data, loaded together, and loaded again after anything this screen does and
 * whenever the payments bot posts or edits a message (money came in, a request was asked of me).
 */
export function useMoney(): { state: MoneyState; reload: () => void } {
  const { client } = useSignedIn();
  const api = useMemo(() => paymentsApi(client), [client]);
  const [state, setState] = useState<MoneyState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    Promise.all([api.balances(), api.transfers(), api.requests()]).then(
      ([balances, transfers, requests]) => {
        if (!live) return;
        const history = [
          ...transfers.sent.map((t) => ({ ...t, direction: 'out' as const })),
          ...transfers.received.map((t) => ({ ...t, direction: 'in' as const })),
        ].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const incoming = requests.incoming.filter((r) => r.status === 'open');
        setState({ status: 'ready', data: { balances, history, incoming } });
      },
      (error: unknown) =>
        live && setState((previous) => ({ status: 'failed', error, data: 'data' in previous ? previous.data : null })),
    );
    return () => {
      live = false;
    };
  }, [api, generation]);

  useEffect(
    () =>
      client.on('message', ({ message }) => {
        if (message.content?.type.startsWith('payments.')) reload();
      }),
    [client, reload],
  );
  return { state, reload };
}
