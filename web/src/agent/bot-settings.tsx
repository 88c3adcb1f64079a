import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { agentErrorText } from './agent-error-text';
import { useSettingsAction, type SettingsSectionProps } from './use-settings-action';

/** The business's bot: a bot plugin (by its id, as the operator installed it) answers first; detaching leaves the agents. */
export function BotSettings({ api, businessId, settings }: SettingsSectionProps) {
  const { t } = useI18n();
  const [pluginId, setPluginId] = useState('');
  const action = useSettingsAction(settings);
  const current = settings.data?.bot ?? null;
  const attach = (id: string | null) =>
    action.change(async () => {
      await api.setBot(businessId, id);
      setPluginId('');
    });
  return (
    <section class="agent-card" aria-labelledby="agent-bot-title">
      <h3 id="agent-bot-title">{t('agent.bot.title')}</h3>
      <p>{current ? t('agent.bot.current', { pluginId: current }) : t('agent.bot.none')}</p>
      <form
        class="agent-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          attach(pluginId.trim());
        }}
      >
        <label class="agent-inline-field">
          {t('agent.bot.pluginId')}
          <input required maxLength={64} value={pluginId} onInput={(e) => setPluginId(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('agent.bot.attach')}
        </button>
        {current ? (
          <button type="button" disabled={action.busy} onClick={() => attach(null)}>
            {t('agent.bot.detach')}
          </button>
        ) : null}
      </form>
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </section>
  );
}
