import { PluginError } from '../../sdk/index.js';

/**
 * The business plugin's own error codes, each with its HTTP status (documented in
 * docs/business.md; a test keeps them in step).
 */
export const BUSINESS_ERRORS = {
  invalid_business_request: { status: 400, message: 'The request is malformed.' },
  business_not_found: { status: 404, message: 'No such business.' },
  thread_not_found: { status: 404, message: 'No such customer conversation, or not one of your business.' },
  not_an_agent: { status: 403, message: 'Only agents of this business may do this.' },
  not_business_admin: { status: 403, message: 'Only admins of this business may do this.' },
  invalid_api_key: { status: 401, message: 'The business API key is missing, unknown or revoked.' },
  outside_messaging_window: {
    status: 403,
    message:
      "The customer's last message is more than 24 hours old: only tagged updates (order_update, account_update) or a message with an opt-in token may go out.",
  },
  invalid_optin_token: {
    status: 403,
    message: 'The opt-in token is unknown, of another conversation, expired or already used.',
  },
  not_thread_owner: { status: 409, message: 'The other side (bot or agents) has thread control.' },
  no_bot_attached: { status: 409, message: 'The business has no bot attached.' },
  bot_unreachable: {
    status: 400,
    message: 'The bot plugin is not running or did not answer on its businessEvent service.',
  },
  csat_not_open: { status: 409, message: 'There is no survey waiting for an answer.' },
  payments_unavailable: {
    status: 503,
    message: 'Invoices need the payments plugin, running and allowing this plugin.',
  },
  webhook_unreachable: { status: 400, message: 'The webhook URL did not answer the signed ping with a 2xx.' },
  webhook_url_not_allowed: {
    status: 403,
    message: 'The operator does not allow webhooks to this host (http.outbound scope).',
  },
  delivery_not_found: { status: 404, message: 'No dead webhook delivery with this id.' },
} as const;

export type BusinessErrorCode = keyof typeof BUSINESS_ERRORS;

export class BusinessError extends PluginError<BusinessErrorCode> {
  constructor(code: BusinessErrorCode, message?: string, details?: Record<string, unknown>) {
    super(code, BUSINESS_ERRORS[code], message, details);
    this.name = 'BusinessError';
  }
}
