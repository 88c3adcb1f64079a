import type { MessageKey } from '../i18n/en';
import { pluralKey } from '../i18n/plural';
import { useI18n } from '../i18n/i18n-context';

/**
 * A count in a list entry (unread messages, mentions, unread replies): nothing at zero, "99+" past
 * 99, and read out whole by screen readers from the singular or plural text it is given.
 */
export function CountBadge({
  count,
  one,
  other,
  variant,
  prefix = '',
}: {
  count: number;
  one: MessageKey;
  other: MessageKey;
  /** `for-mention` in the mention colour; `quiet` for a muted conversation. */
  variant?: 'for-mention' | 'quiet';
  prefix?: string;
}) {
  const { t, language } = useI18n();
  if (count <= 0) return null;
  return (
    <span
      class={variant ? `count-badge ${variant}` : 'count-badge'}
      role="img"
      aria-label={t(pluralKey(language, count, one, other), { count })}
    >
      {prefix}
      {count > 99 ? '99+' : count}
    </span>
  );
}
