import { ACCOUNT_RULES } from '../../../sdk/protocol/message.js';
import type { MessageKey } from '../i18n/en';

/** The host's rules for a new account (host/validation/schemas.ts), checked before asking it. */
export interface Registration {
  handle: string;
  displayName: string;
  password: string;
}

export type RegistrationErrors = Partial<Record<keyof Registration, MessageKey>>;

const HANDLE = new RegExp(ACCOUNT_RULES.handle.pattern);

/** Whether a text's length in characters (as the host counts them) is within a rule's bounds. */
function fits(text: string, rule: { minLength: number; maxLength: number }): boolean {
  const length = [...text].length;
  return length >= rule.minLength && length <= rule.maxLength;
}

/** Whether a text is a handle the host could have given someone (its pattern and length). */
export function isHandle(text: string): boolean {
  return HANDLE.test(text) && fits(text, ACCOUNT_RULES.handle);
}

export function checkRegistration({ handle, displayName, password }: Registration): RegistrationErrors {
  const errors: RegistrationErrors = {};
  if (!isHandle(handle)) errors.handle = handle === '' ? 'validation.required' : 'validation.handle';
  if (!fits(displayName, ACCOUNT_RULES.displayName) || !/\S/.test(displayName))
    errors.displayName = displayName === '' ? 'validation.required' : 'validation.displayName';
  if (!fits(password, ACCOUNT_RULES.password))
    errors.password = password === '' ? 'validation.required' : 'validation.password';
  return errors;
}

/** The fields an invalid_request names in its details (`/handle`…), for marking them as the host saw them. */
export function fieldsFromDetails(details: unknown): (keyof Registration)[] {
  if (!Array.isArray(details)) return [];
  const fields = new Set<keyof Registration>();
  for (const detail of details as { path?: unknown }[]) {
    const name = typeof detail?.path === 'string' ? detail.path.split('/')[1] : undefined;
    if (name === 'handle' || name === 'displayName' || name === 'password') fields.add(name);
  }
  return [...fields];
}
