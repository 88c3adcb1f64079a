import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { usePeople } from '../people/people';
import { formatMoney } from './money-format';
import type { Balance } from './payments-api';
import type { MoneyData } from './use-money';

export function BalanceList({ balances }: { balances: Balance[] }) {
  const { t, language } = useI18n();
  if (balances.length === 0) return <p class="placeholder">{t('money.balances.none')}</p>;
  return (
    <ul class="balance-list">
      {balances.map((b) => (
        <li key={b.currency}>
          <span class="balance-amount">{formatMoney(language, b.balanceMinor, b.currency)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Transfers in and out, newest first: who, how much (signed), the note, when. */
export function TransferHistory({ history }: { history: MoneyData['history'] }) {
  const { t, language } = useI18n();
  const people = usePeople();
  if (history.length === 0) return <p class="placeholder">{t('money.history.none')}</p>;
  return (
    <ul class="transfer-history">
      {history.map((h) => {
        const other = people.name(h.direction === 'in' ? h.from : h.to);
        const minor = h.direction === 'in' ? h.amountMinor : -h.amountMinor;
        return (
          <li key={`${h.direction}-${h.transferId}`} class={`transfer-${h.direction}`}>
            <span class="transfer-party">
              {t(h.direction === 'in' ? 'money.history.from' : 'money.history.to', { name: other })}
            </span>
            <span class="transfer-amount">{formatMoney(language, minor, h.currency, { signed: true })}</span>
            {h.note ? <span class="transfer-note">{h.note}</span> : null}
            <time class="transfer-time" dateTime={h.createdAt}>
              {formatDateTime(language, h.createdAt)}
            </time>
          </li>
        );
      })}
    </ul>
  );
}
