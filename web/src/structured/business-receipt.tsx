import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import { formatMoney } from '../money/money-format';
import { ExternalLink, QuickReplies, TapFeedback } from './action-buttons';
import { actionsOf, integerOf, recordOf, recordsOf, textOf, type Body, type MessageViewProps } from './body-fields';
import { MessageImage } from './business-carousel';
import { formatDateTime } from '../i18n/format-time';
import { safeHttpUrl } from './safe-url';
import { usePostback } from './use-postback';

const SUMMARY: [string, MessageKey][] = [
  ['subtotalMinor', 'structured.receipt.subtotal'],
  ['shippingMinor', 'structured.receipt.shipping'],
  ['taxMinor', 'structured.receipt.tax'],
  ['totalMinor', 'structured.receipt.total'],
];

/** `business.receipt`: the order's lines, where it goes, and its amounts in the receipt's currency. */
export function BusinessReceipt({ body, message, conversationId }: MessageViewProps) {
  const { t, language } = useI18n();
  const taps = usePostback(conversationId, message.id);
  const currency = textOf(body, 'currency') ?? '';
  const money = (minor: number) => formatMoney(language, minor, currency);
  const orderUrl = safeHttpUrl(body.orderUrl);
  const timestamp = textOf(body, 'timestamp');
  const summary = recordOf(body, 'summary');
  return (
    <div class="card business receipt">
      <p class="card-heading">{t('structured.receipt.title', { number: textOf(body, 'orderNumber') ?? '' })}</p>
      <p>
        {t('structured.receipt.for', { name: textOf(body, 'recipientName') ?? '' })}
        {timestamp ? ` · ${formatDateTime(language, timestamp)}` : null}
      </p>
      <ul class="receipt-lines" aria-label={t('structured.receipt.items')}>
        {recordsOf(body, 'elements').map((line, i) => {
          const quantity = integerOf(line, 'quantity');
          const price = integerOf(line, 'priceMinor');
          return (
            <li key={i}>
              <MessageImage url={line.imageUrl} />
              <span class="receipt-item">
                {quantity !== undefined && quantity !== 1 ? `${quantity} × ` : null}
                {textOf(line, 'title')}
                {textOf(line, 'subtitle') ? <span class="receipt-subtitle"> {textOf(line, 'subtitle')}</span> : null}
              </span>
              {price !== undefined ? <span class="receipt-price">{money(price)}</span> : null}
            </li>
          );
        })}
      </ul>
      <dl class="receipt-summary">
        {SUMMARY.map(([field, key]) => {
          const amount = integerOf(summary, field);
          return amount === undefined ? null : (
            <div key={field} class={field === 'totalMinor' ? 'receipt-total' : undefined}>
              <dt>{t(key)}</dt>
              <dd>{money(amount)}</dd>
            </div>
          );
        })}
      </dl>
      {textOf(body, 'paymentMethod') ? (
        <p>{t('structured.receipt.paidWith', { method: textOf(body, 'paymentMethod') ?? '' })}</p>
      ) : null}
      <Address address={recordOf(body, 'address')} />
      {orderUrl ? <ExternalLink url={orderUrl} label={t('structured.receipt.viewOrder')} /> : null}
      <QuickReplies actions={actionsOf(body, 'quickReplies')} taps={taps} />
      <TapFeedback taps={taps} />
    </div>
  );
}

function Address({ address }: { address: Body | undefined }) {
  const { t, language } = useI18n();
  if (!address) return null;
  const country = textOf(address, 'country');
  const countryName = country ? (regionName(language, country) ?? country) : undefined;
  const cityLine = [textOf(address, 'postalCode'), textOf(address, 'city'), textOf(address, 'state')]
    .filter(Boolean)
    .join(' ');
  const lines = [textOf(address, 'street1'), textOf(address, 'street2'), cityLine, countryName].filter(Boolean);
  return (
    <div class="receipt-address">
      <p class="card-heading">{t('structured.receipt.shipTo')}</p>
      <address>
        {lines.map((line, i) => (
          <span key={i} class="address-line">
            {line}
          </span>
        ))}
      </address>
    </div>
  );
}

function regionName(language: string, code: string): string | undefined {
  try {
    return new Intl.DisplayNames(language, { type: 'region' }).of(code);
  } catch {
    // Not a region code Intl knows: the code itself is shown.
    return undefined;
  }
}
