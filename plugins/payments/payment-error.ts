import { PluginError } from '../../sdk/index.js';

/**
 * The payments plugin's own error codes (the host's catalog is for host errors). Each code has
 * its HTTP status; every code is documented in docs/payments.md, and a test keeps them in step.
 */
export const PAYMENT_ERRORS = {
  invalid_amount: {
    status: 400,
    message: 'The amount must be a positive whole number of minor units within the limits.',
  },
  unknown_currency: { status: 400, message: 'The currency is not one this host handles.' },
  currency_mismatch: { status: 400, message: 'The operation mixes currencies.' },
  invalid_payment_request: { status: 400, message: 'The request is malformed.' },
  recipient_not_found: { status: 404, message: 'No such recipient.' },
  self_transfer: { status: 400, message: 'A transfer needs two different people.' },
  recipient_is_bot: { status: 400, message: 'Money cannot be sent to a bot; pay a plugin through its invoice.' },
  insufficient_funds: { status: 409, message: 'The balance does not cover the amount.' },
  limit_exceeded: { status: 403, message: 'The amount passes a per-transfer or daily limit.' },
  pin_required: { status: 401, message: 'Set a PIN first, then confirm with it.' },
  pin_invalid: { status: 401, message: 'The PIN is wrong.' },
  pin_locked: { status: 423, message: 'Too many wrong PINs; payments are locked for a while.' },
  idempotency_conflict: { status: 409, message: 'This idempotency key was used for a different request.' },
  not_found: { status: 404, message: 'No such payment object.' },
  invalid_state: { status: 409, message: 'The payment object is not in a state that allows this.' },
  capture_exceeds_hold: { status: 409, message: 'The capture is larger than what the hold has left.' },
  refund_exceeds_capture: { status: 409, message: 'The refunds would pass what was captured.' },
  card_declined: { status: 402, message: 'The card provider declined the payment.' },
  provider_unavailable: {
    status: 503,
    message: 'The card provider could not be reached; nothing was charged twice, retry with the same key.',
  },
  invalid_signature: { status: 401, message: 'The provider callback signature is missing, wrong or too old.' },
  conversation_unavailable: {
    status: 404,
    message: 'The payments bot is not in that conversation, or the payer is not.',
  },
  balance_overflow: { status: 409, message: 'The balance would pass the largest amount the ledger holds.' },
  not_permitted: {
    status: 403,
    message: 'This party of the payment may not do that (only the payee captures and refunds).',
  },
  payer_not_found: { status: 404, message: 'No such payer.' },
  not_payer: { status: 403, message: 'Only the payer of a payment request can pay or decline it.' },
  request_not_open: {
    status: 409,
    message: 'The payment request is no longer open (paid, declined, failed or being paid).',
  },
  request_expired: { status: 410, message: 'The payment request expired; ask for a new one.' },
  precheckout_failed: {
    status: 409,
    message:
      'The requester did not confirm the payment (refused, failed or did not answer in time); nothing was charged.',
  },
} as const;

export type PaymentErrorCode = keyof typeof PAYMENT_ERRORS;

export class PaymentError extends PluginError<PaymentErrorCode> {
  constructor(code: PaymentErrorCode, message?: string, details?: Record<string, unknown>) {
    super(code, PAYMENT_ERRORS[code], message, details);
    this.name = 'PaymentError';
  }
}
