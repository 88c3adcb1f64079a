import type { JSX } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { isRecord, type MessageViewProps } from './body-fields';
import { BusinessCarousel } from './business-carousel';
import { BusinessHandover, BusinessInboxUpdate } from './business-messages';
import { BusinessOrderUpdate } from './business-order-update';
import { BusinessReceipt } from './business-receipt';
import { InteractiveCard } from './interactive-card';
import { PluginMessage } from './plugin-message';
import { PaymentRequestMessage, PaymentTransfer } from './payment-messages';
import { SystemMessage } from './system-message';
import { Unsupported } from './unsupported';
import '../styles/structured.css';

/** The view of each structured type this client knows; any other is a plugin's (see PluginMessage). */
const VIEWS: Record<string, (props: MessageViewProps) => JSX.Element | null> = {
  'interactive.card': InteractiveCard,
  'business.text': InteractiveCard,
  'business.button': InteractiveCard,
  'business.csat': InteractiveCard,
  'business.generic': BusinessCarousel,
  'business.receipt': BusinessReceipt,
  'business.order_update': BusinessOrderUpdate,
  'business.handover': BusinessHandover,
  'business.inbox': BusinessInboxUpdate,
  'payments.transfer': PaymentTransfer,
  'payments.request': PaymentRequestMessage,
};

/**
 * A message whose content is not text, for the chat's message list: system messages in words,
 * cards and templates with working buttons, payments with their actions, and anything unknown as
 * a neutral line. A view that fails on a body it did not expect becomes that line too, never a
 * broken list.
 */
export function StructuredContent({ message, conversationId }: { message: Message; conversationId: string }) {
  const failure: unknown = useErrorBoundary()[0];
  const content = message.content;
  if (content === null || content.type === 'text') return null;
  const body = 'body' in content && isRecord(content.body) ? content.body : {};
  if (failure) return <Unsupported />;
  // Inline: the message list writes the change's time right after it.
  if (content.type.startsWith('system.'))
    return <SystemMessage message={message} content={{ type: content.type, body }} />;
  const View = VIEWS[content.type] ?? PluginMessage;
  return (
    <div class="structured" data-type={content.type}>
      <View body={body} message={message} conversationId={conversationId} />
    </div>
  );
}
