import { useState } from 'preact/hooks';
import { shortTime } from '../i18n/format-time';
import { ErrorNotice } from '../components/error-notice';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import { agentErrorText } from './agent-error-text';
import { useSettingsAction, type SettingsSectionProps } from './use-settings-action';

/** The webhook: setting a URL shows its new secret once; removing stops events; dead deliveries are replayed here. */
export function WebhookSettings({ api, businessId, settings }: SettingsSectionProps) {
  const { t, language } = useI18n();
  const dead = useLoad(() => api.deadLetters(businessId), [businessId]);
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useSettingsAction(settings);
  const current = settings.data?.webhookUrl ?? null;
  // A change of URL or a replay moves the dead letters too.
  const after = (work: () => Promise<void>) => action.change(work, dead);
  return (
    <section class="agent-card" aria-labelledby="agent-webhook-title">
      <h3 id="agent-webhook-title">{t('agent.webhook.title')}</h3>
      <p>{current ? t('agent.webhook.current', { url: current }) : t('agent.webhook.none')}</p>
      <form
        class="agent-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          after(async () => {
            setSecret((await api.setWebhook(businessId, url.trim())).secret);
            setUrl('');
          });
        }}
      >
        <label class="agent-inline-field">
          {t('agent.webhook.url')}
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('agent.webhook.set')}
        </button>
        {current ? (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => after(() => api.removeWebhook(businessId).then(() => undefined))}
          >
            {t('agent.webhook.remove')}
          </button>
        ) : null}
      </form>
      {secret ? (
        <div class="agent-secret" role="status">
          <p>{t('agent.webhook.shownOnce')}</p>
          <code class="agent-secret-value">{secret}</code>{' '}
          <button type="button" onClick={() => setSecret(null)}>
            {t('agent.secret.done')}
          </button>
        </div>
      ) : null}
      <h4>{t('agent.dead.title')}</h4>
      <ErrorNotice error={settings.error ?? dead.error} describe={agentErrorText} />
      {(dead.data ?? []).length === 0 ? (
        <p class="agent-empty">{t('agent.dead.none')}</p>
      ) : (
        <ul class="agent-plain-list">
          {dead.data!.map((d) => (
            <li key={d.deliveryId}>
              {t('agent.dead.row', {
                time: shortTime(d.createdAt, language),
                events: d.events,
                attempts: d.attempts,
                error: d.lastError ?? '',
              })}{' '}
              <button
                type="button"
                disabled={action.busy}
                onClick={() => after(() => api.replay(businessId, d.deliveryId).then(() => undefined))}
              >
                {t('agent.dead.replay')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </section>
  );
}
