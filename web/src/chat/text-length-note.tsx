import { useI18n } from '../i18n/i18n-context';

/** Past this share of the host's limit the composer counts what is typed, before it is too late. */
const NEAR = 0.9;

/**
 * What the composer says of a text's length against the host's limit: nothing while far from it, a
 * count near it, and why it cannot be sent once over it (the text stays, to be shortened).
 */
export function TextLengthNote({ length, max }: { length: number; max: number | null }) {
  const { t, language } = useI18n();
  if (max === null || length < max * NEAR) return null;
  const number = new Intl.NumberFormat(language);
  const params = { count: number.format(length), max: number.format(max) };
  return length > max ? (
    <p class="error-notice" role="alert">
      {t('chat.composer.tooLong', params)}
    </p>
  ) : (
    <p class="composer-count">{t('chat.composer.count', params)}</p>
  );
}
