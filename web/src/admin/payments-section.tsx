import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { formatMoney } from '../money/money-format';
import { AdminAlert } from './admin-alert';
import { useAdminApi } from './admin-context';
import { formatCount } from './admin-format';
import { SectionHeading } from './admin-table';
import type { LedgerCheck } from './admin-types';
import { useAdminLoad } from './use-admin-load';

/** The payments ledger: verifying it on demand, and the operator reports (balances, volume, reconciliation). */
export function PaymentsSection() {
  const { t, language } = useI18n();
  const api = useAdminApi();
  const reports = useAdminLoad(() => api.paymentsReports(), [api]);
  const verify = useAction();
  const [check, setCheck] = useState<LedgerCheck | null>(null);
  const n = (count: number) => formatCount(language, count);
  const money = (minor: number, currency: string) => formatMoney(language, minor, currency);

  const runCheck = () => {
    setCheck(null);
    void verify.run(async () => setCheck(await api.verifyLedger()));
  };
  const data = reports.state.data;
  return (
    <section aria-labelledby="admin-payments-heading">
      <SectionHeading
        id="admin-payments-heading"
        title={t('admin.payments.title')}
        refresh={{ label: t('admin.payments.refresh'), onClick: reports.reload }}
      />
      <div class="admin-card">
        <button type="button" class="primary" disabled={verify.busy} onClick={runCheck}>
          {verify.busy ? t('admin.payments.verifying') : t('admin.payments.verify')}
        </button>
        <div role="status">
          {check ? (
            <p class={check.ok ? 'admin-ok' : 'error-notice'}>
              {t(check.ok ? 'admin.payments.whole' : 'admin.payments.broken', {
                accounts: n(check.accounts),
                transactions: n(check.transactions),
                postings: n(check.postings),
              })}
            </p>
          ) : null}
        </div>
        {check && check.problems.length > 0 ? (
          <ul class="admin-problems">
            {check.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        ) : null}
        <AdminAlert error={verify.error} />
      </div>
      <AdminAlert error={reports.state.status === 'failed' ? reports.state.error : null} />
      {data === null && reports.state.status === 'loading' ? <p role="status">{t('app.loading')}</p> : null}
      {data ? (
        <>
          <h3>{t('admin.payments.balances')}</h3>
          {Object.keys(data.balances).length === 0 ? <p class="placeholder">{t('admin.payments.noMoney')}</p> : null}
          <dl class="admin-facts">
            {Object.entries(data.balances).map(([currency, b]) => (
              <div key={currency}>
                <dt>{currency}</dt>
                <dd>
                  {t('admin.payments.balanceValue', {
                    users: money(b.users, currency),
                    holds: money(b.holds, currency),
                    providers: money(b.providers, currency),
                    total: money(b.total, currency),
                    wallets: n(b.wallets),
                  })}
                </dd>
              </div>
            ))}
          </dl>
          <h3>{t('admin.payments.volume')}</h3>
          {data.transfers.length === 0 ? <p class="placeholder">{t('admin.payments.noTransfers')}</p> : null}
          <ul class="admin-plain-list">
            {data.transfers.map((row) => (
              <li key={row.currency}>
                {t('admin.payments.volumeValue', {
                  count: n(row.count),
                  amount: money(row.sum_amount ?? 0, row.currency),
                })}
              </li>
            ))}
          </ul>
          <h3>{t('admin.payments.reconciliation')}</h3>
          <p>
            {t('admin.payments.reconciliationValue', {
              operations: n(data.reconciliation.operations),
              agreed: n(data.reconciliation.agreed),
              pending: n(data.reconciliation.pending.length),
              mismatches: n(data.reconciliation.mismatches.length),
            })}
          </p>
        </>
      ) : null}
    </section>
  );
}
