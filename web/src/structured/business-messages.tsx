import { useI18n } from '../i18n/i18n-context';
import { textOf, type Body } from './body-fields';

/**
 * `business.handover`: who the customer is talking to now. A pass or take to the agents is "a
 * person"; to the bot, the assistant; a request changes nothing yet (business.md).
 */
export function BusinessHandover({ body }: { body: Body }) {
  const { t } = useI18n();
  const action = textOf(body, 'action');
  const to = textOf(body, 'to');
  const key =
    action === 'request'
      ? to === 'agents'
        ? 'structured.handover.requestedPerson'
        : 'structured.handover.requestedBot'
      : to === 'agents'
        ? 'structured.handover.toPerson'
        : 'structured.handover.toBot';
  return <p class="system-line">{t(key)}</p>;
}

/** `business.inbox`: the agents' room's live updates; a person reading that room sees a line, not data. */
export function BusinessInboxUpdate() {
  const { t } = useI18n();
  return <p class="system-line">{t('structured.inboxUpdate')}</p>;
}
