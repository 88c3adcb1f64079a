import type { PresenceStatus } from '../../../sdk/protocol/frames.js';
import { useI18n } from '../i18n/i18n-context';

/**
 * A coloured dot for a person's presence, named in words for those who cannot see it (decorative
 * where the words are written next to it).
 */
export function PresenceDot({
  status,
  decorative = false,
}: {
  status: PresenceStatus | undefined;
  decorative?: boolean;
}) {
  const { t } = useI18n();
  if (!status) return null;
  if (decorative) return <span class="presence-dot" data-status={status} aria-hidden="true" />;
  const label = status === 'online' ? t('chat.presence.online') : t('chat.presence.offline');
  return <span class="presence-dot" data-status={status} role="img" aria-label={label} title={label} />;
}
