import { useState } from 'preact/hooks';
import { shortTime } from '../i18n/format-time';
import { useAction } from '../components/use-action';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { useLoad } from '../components/use-load';

/** The backend's API keys: a new key is shown once (only its prefix is kept), and revoked here. */
export function ApiKeysSettings({ api, businessId }: { api: AgentApi; businessId: string }) {
  const { t, language } = useI18n();
  const keys = useLoad(() => api.apiKeys(businessId), [businessId]);
  const [created, setCreated] = useState<string | null>(null);
  const action = useAction();
  return (
    <section class="agent-card" aria-labelledby="agent-keys-title">
      <h3 id="agent-keys-title">{t('agent.keys.title')}</h3>
      <ErrorNotice error={keys.error} describe={agentErrorText} />
      <ul class="agent-plain-list">
        {(keys.data ?? []).map((k) => (
          <li key={k.keyId}>
            <code>{k.prefix}…</code> {t('agent.keys.created', { time: shortTime(k.createdAt, language) })}{' '}
            {k.revokedAt ? (
              <span>{t('agent.keys.revoked')}</span>
            ) : (
              <button
                type="button"
                disabled={action.busy}
                aria-label={t('agent.keys.revokeNamed', { prefix: k.prefix })}
                onClick={() =>
                  void action.run(async () => {
                    await api.revokeApiKey(businessId, k.keyId);
                    keys.reload();
                  })
                }
              >
                {t('agent.keys.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <button
        type="button"
        disabled={action.busy}
        onClick={() =>
          void action.run(async () => {
            setCreated((await api.createApiKey(businessId)).key);
            keys.reload();
          })
        }
      >
        {t('agent.keys.create')}
      </button>
      {created ? (
        <div class="agent-secret" role="status">
          <p>{t('agent.keys.shownOnce')}</p>
          <code class="agent-secret-value">{created}</code>{' '}
          <button type="button" onClick={() => setCreated(null)}>
            {t('agent.secret.done')}
          </button>
        </div>
      ) : null}
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </section>
  );
}
