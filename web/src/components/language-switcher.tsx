import { useI18n } from '../i18n/i18n-context';
import { LANGUAGES, isLanguage } from '../i18n/language';

/**
 * A labelled <select> of the languages; each option is written, and marked, in its own language.
 * The select carries its name too: a phone's header leaves the words out (layout.css).
 */
export function LanguageSwitcher() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label class="language-switcher">
      <span>{t('language.label')}</span>
      <select
        aria-label={t('language.label')}
        value={language}
        onChange={(event) => {
          const next = event.currentTarget.value;
          if (isLanguage(next)) setLanguage(next);
        }}
      >
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
