import { useState } from 'preact/hooks';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import { ErrorNotice } from '../components/error-notice';
import { actionErrorText } from '../i18n/action-error-text';
import { formatDateTime } from '../i18n/format-time';
import { usePeople } from '../people/people';
import { formatMoney } from './money-format';
import type { PaymentRequest, RequestLine, RequestStatus } from './payments-api';
import { PinDialog } from './pin-dialog';
import { useRequestActions } from './use-request-actions';
import '../styles/structured.css';
import '../styles/payments.css';

/** What a request card shows: the `payments.request` message's body, or a request from GET /requests. */
export type RequestView = Pick<
  PaymentRequest,
  | 'requestId'
  | 'kind'
  | 'status'
  | 'payerId'
  | 'payeeId'
  | 'amountMinor'
  | 'currency'
  | 'description'
  | 'lines'
  | 'reason'
  | 'expiresAt'
>;

/** Keyed by any string: a message may carry a state newer than this client. */
const STATUS_KEYS: Partial<Record<string, MessageKey>> = {
  open: 'money.request.status.open',
  processing: 'money.request.status.processing',
  paid: 'money.request.status.paid',
  declined: 'money.request.status.declined',
  canceled: 'money.request.status.canceled',
  expired: 'money.request.status.expired',
  failed: 'money.request.status.failed',
};

/** Later states win: a pay answered "paid" before the bot's edit of the message arrived. */
const settled = (status: RequestStatus) => status !== 'open' && status !== 'processing';

/**
 * A payment request or invoice: who asks whom for how much, what for, its lines, its state in
 * words; for its payer while it is open, Pay (with the PIN) and Decline.
 */
export function RequestCard({ request, onChange }: { request: RequestView; onChange?: (r: PaymentRequest) => void }) {
  const { t, language } = useI18n();
  const people = usePeople();
  const me = people.me.id;
  const actions = useRequestActions(request.requestId, onChange);
  const [asking, setAsking] = useState(false);
  const local = actions.result?.status;
  const status = local && (settled(local) || request.status === 'open') ? local : request.status;
  const amount = formatMoney(language, request.amountMinor, request.currency);
  const payer = people.name(request.payerId);
  const payee = people.name(request.payeeId);
  const invoice = request.kind === 'invoice';
  const headline =
    request.payerId === me
      ? t(invoice ? 'money.request.invoiceToYou' : 'money.request.asksYou', { name: payee, amount })
      : request.payeeId === me
        ? t('money.request.youAsked', { name: payer, amount })
        : t('money.request.asked', { payee, payer, amount });
  const canAct = request.payerId === me && status === 'open';
  return (
    <div class={`payment-request status-${status}`}>
      <p class="payment-kind">{t(invoice ? 'money.request.invoice' : 'money.request.request')}</p>
      <p class="payment-headline">{headline}</p>
      {request.description ? <p class="payment-description">{request.description}</p> : null}
      {request.lines && request.lines.length > 0 ? (
        <RequestLines lines={request.lines} currency={request.currency} />
      ) : null}
      <p class="payment-status">
        {t(STATUS_KEYS[status] ?? 'money.request.status.unknown')}
        {status === 'open' && request.expiresAt
          ? ` ${t('money.request.expires', { date: formatDateTime(language, request.expiresAt) })}`
          : null}
        {status === 'failed' && request.reason?.startsWith('precheckout')
          ? ` ${t('money.request.notConfirmed')}`
          : null}
      </p>
      {canAct ? (
        <div class="button-row">
          <button type="button" class="primary" disabled={actions.busy !== null} onClick={() => setAsking(true)}>
            {t('money.request.pay')}
          </button>
          <button type="button" disabled={actions.busy !== null} onClick={() => void actions.decline()}>
            {actions.busy === 'decline' ? t('money.request.declining') : t('money.request.decline')}
          </button>
        </div>
      ) : null}
      <ErrorNotice error={asking ? null : actions.error} describe={actionErrorText} />
      {asking ? (
        <PinDialog
          title={t('money.request.payTitle', { amount, name: payee })}
          confirmLabel={t('money.request.payConfirm', { amount })}
          busy={actions.busy === 'pay'}
          error={actions.error}
          onConfirm={(pin) => void actions.pay(pin).then((paid) => paid && setAsking(false))}
          onClose={() => {
            actions.clearError();
            setAsking(false);
          }}
        />
      ) : null}
    </div>
  );
}

function RequestLines({ lines, currency }: { lines: RequestLine[]; currency: string }) {
  const { t, language } = useI18n();
  const money = (minor: number) => formatMoney(language, minor, currency);
  return (
    <table class="payment-lines">
      <caption class="sr-only">{t('money.request.lines')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('money.request.item')}</th>
          <th scope="col">{t('money.request.quantity')}</th>
          <th scope="col">{t('money.request.amount')}</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, i) => (
          <tr key={i}>
            <th scope="row">{line.name}</th>
            <td>{t('money.request.times', { qty: line.qty, unit: money(line.unitMinor) })}</td>
            <td>{money(line.lineMinor)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
