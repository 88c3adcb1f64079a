import type { SwitchboardClient } from '../../../sdk/client/index.js';

/** The payments plugin's HTTP API (docs/payments.md "HTTP API"), as the web client uses it. */
const BASE = '/plugins/payments';

export interface Balance {
  currency: string;
  balanceMinor: number;
}

export interface Transfer {
  transferId: string;
  from: string;
  to: string;
  amountMinor: number;
  currency: string;
  note: string | null;
  createdAt: string;
}

export type RequestStatus = 'open' | 'processing' | 'paid' | 'declined' | 'canceled' | 'expired' | 'failed';

export interface RequestLine {
  itemId?: string | null;
  name: string;
  qty: number;
  unitMinor: number;
  lineMinor: number;
}

export interface PaymentRequest {
  requestId: string;
  kind: 'user' | 'invoice';
  status: RequestStatus;
  payerId: string;
  payeeId: string;
  conversationId: string;
  amountMinor: number;
  currency: string;
  description: string | null;
  lines: RequestLine[] | null;
  reason: string | null;
  expiresAt: string | null;
  createdAt: string;
}

export interface SendMoney {
  /** A user id, or a handle as "@ada". */
  to: string;
  amountMinor: number;
  currency: string;
  pin: string;
  note?: string;
  idempotencyKey: string;
}

export function paymentsApi(client: SwitchboardClient) {
  const call = <T>(method: string, path: string, body?: unknown) => client.http.request<T>(method, BASE + path, body);
  const id = encodeURIComponent;
  return {
    balances: async () => (await call<{ balances: Balance[] }>('GET', '/balance')).balances,
    transfers: () => call<{ sent: Transfer[]; received: Transfer[] }>('GET', '/transfers'),
    requests: () => call<{ incoming: PaymentRequest[]; outgoing: PaymentRequest[] }>('GET', '/requests'),
    send: (input: SendMoney) => call<Transfer>('POST', '/transfers', input),
    setPin: (pin: string, currentPin?: string) =>
      call<void>('POST', '/pin', currentPin ? { pin, currentPin } : { pin }),
    pay: (requestId: string, pin: string, idempotencyKey: string) =>
      call<PaymentRequest>('POST', `/requests/${id(requestId)}/pay`, { pin, idempotencyKey }),
    decline: (requestId: string) => call<PaymentRequest>('POST', `/requests/${id(requestId)}/decline`, {}),
  };
}
