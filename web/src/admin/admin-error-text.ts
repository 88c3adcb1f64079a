import { errorTextWith } from '../i18n/error-text';

/** A console failure in words: the console's sentences (a refused admin token…), then the taps' and the app's. */
export const adminErrorText = errorTextWith('admin', 'structured', 'money');
