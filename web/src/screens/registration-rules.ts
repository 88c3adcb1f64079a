import type { MessageKey } from '../i18n/en';

/** The host's rules for a new account (host/validation/schemas.ts), checked before asking it. */
export interface Registration {
  handle: string;
  displayName: string;
  password: string;
}

export type RegistrationErrors = Partial<Record<keyof Registration, MessageKey>>;

const HANDLE = /^[A-Za-z0-9_.-]{3,32}$/;

export function checkRegistration({ handle, displayName, password }: Registration): RegistrationErrors {
  const errors: RegistrationErrors = {};
  if (!HANDLE.test(handle)) errors.handle = handle === '' ? 'validation.required' : 'validation.handle';
  const nameLength = [...displayName].length;
  if (nameLength < 1 || nameLength > 64 || !/\S/.test(displayName))
    errors.displayName = displayName === '' ? 'validation.required' : 'validation.displayName';
  const passwordLength = [...password].length;
  if (passwordLength < 8 || passwordLength > 256)
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
