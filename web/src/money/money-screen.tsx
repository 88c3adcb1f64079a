import { useEffect } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { actionErrorText } from '../i18n/action-error-text';
import { BalanceList, TransferHistory } from './money-overview';
import { PinForm } from './pin-form';
import { RequestCard } from './request-card';
import { SendMoneyForm } from './send-money-form';
import { useMoney } from './use-money';
import { forgetPlugin, pluginMissing, usePlugin } from '../session/host-plugins';
import { useSignedIn } from '../session/session-context';
import '../styles/money.css';

/**
 * `/money`: my balances, the requests asked of me (pay or decline), sending money to a handle, my
 * PIN, and the history of my transfers. Everything goes through the payments plugin's HTTP API; on
 * a host that does not run it (reached by its address: the header links here only when it runs),
 * a sentence says so rather than the 404 its routes answer.
 */
export function MoneyScreen() {
  const { t } = useI18n();
  usePageTitle(t('money.title'));
  const payments = usePlugin('payments');
  return (
    <div class="money-screen">
      <h1>{t('money.title')}</h1>
      {payments === 'asking' ? (
        <p role="status">{t('app.loading')}</p>
      ) : payments === 'absent' ? (
        <Unavailable />
      ) : (
        // Running, or the listing could not be had: the screen asks the plugin, and says what it answers.
        <MoneyContent />
      )}
    </div>
  );
}

function Unavailable() {
  const { t } = useI18n();
  return <p class="placeholder">{t('money.unavailable')}</p>;
}

function MoneyContent() {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const { data, error, reload } = useMoney();
  // Disabled since the listing was had: this says so, and the header's link goes.
  const missing = pluginMissing(error);
  useEffect(() => {
    if (missing) forgetPlugin(client, 'payments');
  }, [client, missing]);
  if (missing) return <Unavailable />;
  return (
    <>
      <ErrorNotice error={error} describe={actionErrorText} />
      {error ? (
        <button type="button" onClick={reload}>
          {t('app.retry')}
        </button>
      ) : null}
      {data === undefined ? (
        error ? null : (
          <p role="status">{t('app.loading')}</p>
        )
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
    </>
  );
}
