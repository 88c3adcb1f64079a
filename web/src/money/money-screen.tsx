import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { actionErrorText } from '../i18n/action-error-text';
import { BalanceList, TransferHistory } from './money-overview';
import { PinForm } from './pin-form';
import { RequestCard } from './request-card';
import { SendMoneyForm } from './send-money-form';
import { useMoney } from './use-money';
import '../styles/money.css';

/**
 * `/money`: my balances, the requests asked of me (pay or decline), sending money to a handle, my
 * PIN, and the history of my transfers. Everything goes through the payments plugin's HTTP API.
 */
export function MoneyScreen() {
  const { t } = useI18n();
  usePageTitle(t('money.title'));
  const { data, error, reload } = useMoney();
  return (
    <div class="money-screen">
      <h1>{t('money.title')}</h1>
      <ErrorNotice error={error} describe={actionErrorText} />
      {error ? (
        <button type="button" onClick={reload}>
          {t('app.retry')}
        </button>
      ) : null}
      {data === undefined ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <section aria-labelledby="money-balances">
            <h2 id="money-balances">{t('money.balances.title')}</h2>
            <BalanceList balances={data.balances} />
          </section>
          <section aria-labelledby="money-requests">
            <h2 id="money-requests">{t('money.requests.title')}</h2>
            {data.incoming.length === 0 ? (
              <p class="placeholder">{t('money.requests.none')}</p>
            ) : (
              <ul class="request-list">
                {data.incoming.map((request) => (
                  <li key={request.requestId}>
                    <RequestCard request={request} onChange={reload} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="money-send">
            <h2 id="money-send">{t('money.send.title')}</h2>
            <SendMoneyForm balances={data.balances} onSent={reload} />
          </section>
          <section aria-labelledby="money-pin">
            <h2 id="money-pin">{t('money.pin.title')}</h2>
            <PinForm />
          </section>
          <section aria-labelledby="money-history">
            <h2 id="money-history">{t('money.history.title')}</h2>
            <TransferHistory history={data.history} />
          </section>
        </>
      )}
    </div>
  );
}
