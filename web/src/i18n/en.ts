import { adminEn } from './admin.en';
import { agentEn } from './agent.en';
import { attachmentsEn } from './attachments.en';
import { voiceEn } from './voice.en';
import { chatEn } from './chat.en';
import { moneyEn } from './money.en';
import { notificationsEn } from './notifications.en';
import { profileEn } from './profile.en';
import { reportsEn } from './reports.en';
import { structuredEn } from './structured.en';
import { searchEn } from './search.en';

/**
 * Every text the web client shows, in English. This object is the source of the keys: fr.ts must
 * have exactly the same ones (the compiler checks). Keys are grouped by a prefix per screen or
 * feature; `{name}` marks a value filled in at run time. `error.<code>` keys put the host's error
 * codes (sdk/errors/error-catalog.ts) and the client library's own in words.
 */
export const en = {
  'app.name': 'Switchboard',
  'app.loading': 'Loading…',
  'app.skipToMain': 'Skip to main content',
  'app.retry': 'Try again',
  'app.titleUnread': '({count})',

  'language.label': 'Language',

  'auth.handle': 'Handle',
  'auth.handleHelp': '3 to 32 letters, digits, dots, dashes or underscores.',
  'auth.displayName': 'Display name',
  'auth.displayNameHelp': 'How others see you.',
  'auth.password': 'Password',
  'auth.passwordHelp': 'At least 8 characters.',

  'login.title': 'Sign in',
  'login.heading': 'Sign in to Switchboard',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.noAccount': 'New here?',
  'login.toRegister': 'Create an account',

  'register.title': 'Create an account',
  'register.heading': 'Create your Switchboard account',
  'register.submit': 'Create account',
  'register.submitting': 'Creating your account…',
  'register.haveAccount': 'Already have an account?',
  'register.toLogin': 'Sign in',

  'validation.required': 'Fill in this field.',
  'validation.handle': 'Use 3 to 32 letters, digits, dots, dashes or underscores.',
  'validation.password': 'Use 8 to 256 characters.',
  'validation.displayName': 'Use 1 to 64 characters, not only spaces.',

  'header.signedInAs': 'Signed in as {name}',
  'header.logout': 'Log out',
  'header.menu': 'Menu',
  'header.profileHint': '(your profile)',
  'header.loggingOut': 'Logging out…',

  'nav.conversations': 'Conversations',
  'nav.consoles': 'Consoles',
  'nav.consolesFor': 'For agents and operators',
  'nav.agent': 'Agent console',
  'nav.admin': 'Admin console',
  'nav.back': 'Back to conversations',

  'home.title': 'Conversations',
  'home.heading': 'Welcome, {name}',
  'home.body': 'Pick a conversation to read it here.',
  'conversation.title': 'Conversation',
  'agent.title': 'Agent console',
  'notFound.title': 'Page not found',
  'notFound.body': 'There is nothing at this address.',
  'notFound.home': 'Go to your conversations',

  'error.generic': 'Something went wrong ({code}).',
  'error.reference': 'Reference: {requestId}',
  'error.retryIn': 'Try again in {seconds} s.',
  'error.unauthenticated': 'You are signed out. Sign in again.',
  'error.session_ended': 'Your session has ended. Sign in again.',
  'error.invalid_credentials': 'The handle or password is wrong.',
  'error.account_deactivated': 'This account has been deactivated. Ask the operator of this host.',
  'error.rate_limited': 'Too many attempts. Wait a moment, then try again.',
  'error.handle_taken': 'That handle is already taken. Choose another one.',
  'error.registration_closed': 'This host does not accept new accounts. Ask its operator for one.',
  'error.invalid_request': 'Some of what you entered is not valid.',
  'error.payload_too_large': 'That is too long to send.',
  'error.network_error': 'The host cannot be reached. Check your connection and try again.',
  'error.offline': 'You are offline. Try again once the connection is back.',
  'error.timeout': 'The host took too long to answer. Try again.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.insufficient_role': 'Your role in this conversation does not allow this.',
  'error.conversation_not_found': 'This conversation does not exist, or you are not a member of it.',
  'error.user_not_found': 'No one has that handle.',
  'error.not_ready': 'The host is starting. Try again in a moment.',
  'error.shutting_down': 'The host is restarting. Try again in a moment.',
  'error.unavailable': 'The host cannot do this right now. Try again later.',
  'error.internal_error': 'The host ran into a problem. Try again later.',
  ...structuredEn,
  ...moneyEn,
  ...chatEn,
  ...adminEn,
  ...agentEn,
  ...searchEn,
  ...attachmentsEn,
  ...voiceEn,
  ...notificationsEn,
  ...profileEn,
  ...reportsEn,
} as const;

export type MessageKey = keyof typeof en;
/** A translation: every key of the English catalog, no other. */
export type Catalog = Record<MessageKey, string>;
