import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import { ButtonRow, ExternalLink, QuickReplies, TapFeedback } from './action-buttons';
import { actionsOf, textOf, type MessageViewProps } from './body-fields';
import { formatDateTime } from '../i18n/format-time';
import { safeHttpUrl } from './safe-url';
import { usePostback } from './use-postback';

const STATUS: Record<string, MessageKey> = {
  confirmed: 'structured.order.confirmed',
  shipped: 'structured.order.shipped',
  out_for_delivery: 'structured.order.out_for_delivery',
  delivered: 'structured.order.delivered',
  delayed: 'structured.order.delayed',
  cancelled: 'structured.order.cancelled',
  returned: 'structured.order.returned',
};

/** `business.order_update`: the order's state in words, its carrier and tracking link, its buttons. */
export function BusinessOrderUpdate({ body, message, conversationId }: MessageViewProps) {
  const { t, language } = useI18n();
  const taps = usePostback(conversationId, message.id);
  const status = textOf(body, 'status') ?? '';
  const tracking = safeHttpUrl(body.trackingUrl);
  const carrier = textOf(body, 'carrier');
  const estimate = textOf(body, 'estimatedDelivery');
  return (
    <div class={`card business order-update order-${status}`}>
      <p class="card-heading">{t('structured.order.title', { number: textOf(body, 'orderNumber') ?? '' })}</p>
      <p class="order-status">{t(STATUS[status] ?? 'structured.order.unknown')}</p>
      {textOf(body, 'text') ? <p class="card-text">{textOf(body, 'text')}</p> : null}
      {carrier ? <p>{t('structured.order.carrier', { carrier })}</p> : null}
      {estimate ? <p>{t('structured.order.estimate', { date: formatDateTime(language, estimate, 'date') })}</p> : null}
      {tracking ? <ExternalLink url={tracking} label={t('structured.order.track')} /> : null}
      <ButtonRow actions={actionsOf(body, 'buttons')} taps={taps} />
      <QuickReplies actions={actionsOf(body, 'quickReplies')} taps={taps} />
      <TapFeedback taps={taps} />
    </div>
  );
}
