import { useI18n } from '../i18n/i18n-context';
import type { AgentApi, MyBusiness } from './agent-api';
import { AgentsSettings } from './agents-settings';
import { ApiKeysSettings } from './api-keys-settings';
import { HoursSettings } from './hours-settings';
import { WebhookSettings } from './webhook-settings';

/** A business admin's settings: agents and teams, hours, away message and routing, API keys, the webhook. */
export function SettingsScreen({ api, business }: { api: AgentApi; business: MyBusiness }) {
  const { t } = useI18n();
  return (
    <div class="agent-settings">
      <h2>{t('agent.settings.title', { name: business.name })}</h2>
      <AgentsSettings api={api} businessId={business.id} />
      <HoursSettings api={api} businessId={business.id} />
      <ApiKeysSettings api={api} businessId={business.id} />
      <WebhookSettings api={api} businessId={business.id} />
    </div>
  );
}
