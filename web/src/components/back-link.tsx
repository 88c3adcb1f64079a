import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';

/**
 * The way back to the list on a phone, away from home (beside the list, on a wide screen, it is
 * hidden). Compact, it is an arrow in a row of its own screen's header, named in words.
 */
export function BackLink({ compact = false }: { compact?: boolean }) {
  const { t } = useI18n();
  if (!compact)
    return (
      <Link href="/" class="back-link">
        {t('nav.back')}
      </Link>
    );
  return (
    <Link href="/" class="back-link compact" aria-label={t('nav.back')}>
      <span aria-hidden="true">←</span>
    </Link>
  );
}
