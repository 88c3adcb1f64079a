import { useMemo, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { agentApi, type MyBusiness } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { InboxScreen } from './inbox-screen';
import { SettingsScreen } from './settings-screen';
import { useLoad } from '../components/use-load';
import './agent.css';

/**
 * /agent: the console of a business's agents. The person picks one of their businesses (an agent
 * of several), then works its inbox; its admins also see its settings.
 */
export function AgentConsole() {
  const { t } = useI18n();
  const { client } = useSignedIn();
  usePageTitle(t('agent.title'));
  const api = useMemo(() => agentApi(client), [client]);
  const mine = useLoad(() => api.myBusinesses(), [api]);
  const [pickedId, setPickedId] = useState<string | null>(null);
  const [view, setView] = useState<'inbox' | 'settings'>('inbox');
  const list = mine.data ?? [];
  const business: MyBusiness | undefined = list.find((b) => b.id === pickedId) ?? list[0];

  return (
    <section class="agent-console" aria-labelledby="agent-title">
      <header class="agent-console-header">
        <h1 id="agent-title">{t('agent.title')}</h1>
        {list.length > 1 ? (
          <label class="agent-inline-field">
            {t('agent.business')}
            <select value={business?.id} onChange={(e) => setPickedId(e.currentTarget.value)}>
              {list.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        ) : business ? (
          <p class="agent-business-name">{business.name}</p>
        ) : null}
        {business?.role === 'admin' ? (
          <div class="button-row" role="group" aria-label={t('agent.views')}>
            <button type="button" aria-pressed={view === 'inbox'} onClick={() => setView('inbox')}>
              {t('agent.view.inbox')}
            </button>
            <button type="button" aria-pressed={view === 'settings'} onClick={() => setView('settings')}>
              {t('agent.view.settings')}
            </button>
          </div>
        ) : null}
      </header>
      <ErrorNotice error={mine.error} describe={agentErrorText} />
      {mine.data === undefined ? (
        mine.error ? null : (
          <p role="status">{t('app.loading')}</p>
        )
      ) : !business ? (
        <p class="agent-empty">{t('agent.noBusiness')}</p>
      ) : view === 'settings' && business.role === 'admin' ? (
        <SettingsScreen key={business.id} api={api} business={business} />
      ) : (
        <InboxScreen key={business.id} api={api} business={business} />
      )}
    </section>
  );
}
