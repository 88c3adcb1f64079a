import { ButtonRow, QuickReplies, TapFeedback } from './action-buttons';
import { actionsOf, textOf, type MessageViewProps } from './body-fields';
import { usePostback } from './use-postback';

/**
 * A text with taps under it: `interactive.card` (buttons with a style, quick replies as chips), and
 * the business's `business.text`, `business.button` and `business.csat` (postback and URL buttons).
 * A tap is a postback the sender's plugin answers; its reply shows here, only to this reader.
 */
export function InteractiveCard({ body, message, conversationId }: MessageViewProps) {
  const taps = usePostback(conversationId, message.id);
  return (
    <div class="card">
      <p class="card-text">{textOf(body, 'text')}</p>
      <ButtonRow actions={actionsOf(body, 'buttons')} taps={taps} />
      <QuickReplies actions={actionsOf(body, 'quickReplies')} taps={taps} />
      <TapFeedback taps={taps} />
    </div>
  );
}
