import { errorTextWith } from '../i18n/error-text';

/** A console failure in words: the business plugin's codes an agent meets, then as taps and the app put them. */
export const agentErrorText = errorTextWith('agent', 'structured', 'money');
