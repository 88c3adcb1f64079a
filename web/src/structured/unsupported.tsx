import { useI18n } from '../i18n/i18n-context';

/** A message this client cannot show: said neutrally, never as its raw body. */
export function Unsupported() {
  const { t } = useI18n();
  return <p class="unsupported">{t('structured.unsupported')}</p>;
}
