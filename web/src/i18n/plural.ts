import type { MessageKey } from './en';
import type { Language } from './language';

const rules = new Map<Language, Intl.PluralRules>();

/** The key for a count in the language's grammar: French says "1 message", "0 message", "2 messages". */
export function pluralKey(language: Language, count: number, one: MessageKey, other: MessageKey): MessageKey {
  let rule = rules.get(language);
  if (!rule) rules.set(language, (rule = new Intl.PluralRules(language)));
  return rule.select(count) === 'one' ? one : other;
}
