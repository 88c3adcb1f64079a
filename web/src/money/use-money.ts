import { useLayoutEffect, useMemo } from 'preact/hooks';
import { useLoad, type Loaded } from '../components/use-load';
import { useSignedIn } from '../session/session-context';
import { paymentsApi, type Balance, type PaymentRequest, type Transfer } from './payments-api';

export interface MoneyData {
  balances: Balance[];
  /** Sent and received transfers, newest first. */
  history: (Transfer & { direction: 'in' | 'out' })[];
  /** Open requests asked of me. */
  incoming: PaymentRequest[];
}

/**
 * The money screen's data, loaded together, and loaded again after anything this screen does and
 * whenever the payments bot posts or edits a message (money came in, a request was asked of me).
 * The screen's own pay or decline reloads as soon as it is answered: the bot's edit of its message
 * may come before the request's new status can be read.
 */
export function useMoney(): Loaded<MoneyData> {
  const { client } = useSignedIn();
  const api = useMemo(() => paymentsApi(client), [client]);
  const money = useLoad(async (): Promise<MoneyData> => {
    const [balances, transfers, requests] = await Promise.all([api.balances(), api.transfers(), api.requests()]);
    const history = [
      ...transfers.sent.map((t) => ({ ...t, direction: 'out' as const })),
      ...transfers.received.map((t) => ({ ...t, direction: 'in' as const })),
    ].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { balances, history, incoming: requests.incoming.filter((r) => r.status === 'open') };
  }, [api]);
  const { reload } = money;
  useLayoutEffect(
    () =>
      client.on('message', ({ message }) => {
        if (message.content?.type.startsWith('payments.')) reload();
      }),
    [client, reload],
  );
  return money;
}
