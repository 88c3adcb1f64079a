import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { appStore } from '../session/app-store';
import { pickLanguage, type Language } from './language';
import { translate, type Translate } from './translate';

const LANGUAGE_KEY = 'language';

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

/** Holds the page's language: the saved choice, else the browser's; a change is saved and sets <html lang>. */
export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [language, setState] = useState<Language>(() =>
    pickLanguage(
      appStore.get(LANGUAGE_KEY),
      navigator.languages.length > 0 ? navigator.languages : [navigator.language],
    ),
  );
  // A layout effect: a screen reader must never read French words under lang="en".
  useLayoutEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    appStore.set(LANGUAGE_KEY, next);
    setState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({ language, setLanguage, t: (key, params) => translate(language, key, params) }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n() needs an <I18nProvider> above it');
  return i18n;
}
