import { useI18n } from '../i18n/i18n-context';
import { formatMoney } from '../money/money-format';
import type { RequestLine, RequestStatus } from '../money/payments-api';
import { RequestCard } from '../money/request-card';
import { usePeople } from '../people/people';
import { integerOf, recordsOf, textOf, type Body } from './body-fields';
import { Unsupported } from './unsupported';

/** `payments.transfer`: "Ada sent you €12.50 — lunch", from where the reader stands. */
export function PaymentTransfer({ body }: { body: Body }) {
  const { t, language } = useI18n();
  const people = usePeople();
  const from = textOf(body, 'from') ?? '';
  const to = textOf(body, 'to') ?? '';
  const amountMinor = integerOf(body, 'amountMinor');
  const currency = textOf(body, 'currency');
  if (amountMinor === undefined || !currency) return <Unsupported />;
  const amount = formatMoney(language, amountMinor, currency);
  const sender = people.name(from);
  const recipient = people.name(to);
  const sentence =
    from === people.me.id
      ? t('structured.transfer.youSent', { name: recipient, amount })
      : to === people.me.id
        ? t('structured.transfer.sentYou', { name: sender, amount })
        : t('structured.transfer.sent', { from: sender, to: recipient, amount });
  const note = textOf(body, 'note');
  return <p class="payment-transfer">{note ? t('structured.transfer.withNote', { sentence, note }) : sentence}</p>;
}

/** `payments.request`: the request card; the bot edits the message as its state changes, and it follows. */
export function PaymentRequestMessage({ body }: { body: Body }) {
  const requestId = textOf(body, 'requestId');
  const payerId = textOf(body, 'payerId');
  const payeeId = textOf(body, 'payeeId');
  const amountMinor = integerOf(body, 'amountMinor');
  const currency = textOf(body, 'currency');
  if (!requestId || !payerId || !payeeId || amountMinor === undefined || !currency) return <Unsupported />;
  const lines = recordsOf(body, 'lines').flatMap((line): RequestLine[] => {
    const name = textOf(line, 'name');
    const qty = integerOf(line, 'qty');
    const unitMinor = integerOf(line, 'unitMinor');
    const lineMinor = integerOf(line, 'lineMinor');
    return name && qty !== undefined && unitMinor !== undefined && lineMinor !== undefined
      ? [{ name, qty, unitMinor, lineMinor }]
      : [];
  });
  return (
    <RequestCard
      request={{
        requestId,
        kind: body.kind === 'invoice' ? 'invoice' : 'user',
        status: (textOf(body, 'status') ?? 'open') as RequestStatus,
        payerId,
        payeeId,
        amountMinor,
        currency,
        description: textOf(body, 'description') ?? null,
        lines,
        reason: textOf(body, 'reason') ?? null,
        expiresAt: textOf(body, 'expiresAt') ?? null,
      }}
    />
  );
}
