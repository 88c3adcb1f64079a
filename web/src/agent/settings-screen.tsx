import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi, MyBusiness } from './agent-api';
import { AgentsSettings } from './agents-settings';
import { ApiKeysSettings } from './api-keys-settings';
import { BotSettings } from './bot-settings';
import { CannedSettings } from './canned-settings';
import { HoursSettings } from './hours-settings';
import { WebhookSettings } from './webhook-settings';

/**
 * A business admin's settings: agents and teams, hours, away message and routing, canned
 * responses, the bot, API keys, the webhook. The settings are read once here for the sections that show them.
 */
export function SettingsScreen({ api, business }: { api: AgentApi; business: MyBusiness }) {
  const { t } = useI18n();
  const settings = useLoad(() => api.settings(business.id), [business.id]);
  return (
    <div class="agent-settings">
      <h2>{t('agent.settings.title', { name: business.name })}</h2>
      <AgentsSettings api={api} businessId={business.id} />
      <HoursSettings api={api} businessId={business.id} settings={settings} />
      <CannedSettings api={api} businessId={business.id} />
      <BotSettings api={api} businessId={business.id} settings={settings} />
      <ApiKeysSettings api={api} businessId={business.id} />
      <WebhookSettings api={api} businessId={business.id} settings={settings} />
    </div>
  );
}
