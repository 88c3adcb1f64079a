import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { ButtonRow, ExternalLink, QuickReplies, TapFeedback } from './action-buttons';
import { actionsOf, recordsOf, textOf, type Body, type MessageViewProps } from './body-fields';
import { safeHttpUrl } from './safe-url';
import type { Taps } from './use-postback';
import { usePostback } from './use-postback';

/**
 * `business.generic`: a carousel of cards (image, title, subtitle, buttons) that scrolls sideways.
 * The scroller is a labelled region that takes focus, so the keyboard can scroll it too.
 */
export function BusinessCarousel({ body, message, conversationId }: MessageViewProps) {
  const { t } = useI18n();
  const taps = usePostback(conversationId, message.id);
  const elements = recordsOf(body, 'elements');
  return (
    <div class="business">
      <div
        class="carousel"
        role="region"
        aria-label={t('structured.carousel', { count: elements.length })}
        tabIndex={0}
      >
        <ul>
          {elements.map((element, i) => (
            <CarouselCard key={i} element={element} taps={taps} />
          ))}
        </ul>
      </div>
      <QuickReplies actions={actionsOf(body, 'quickReplies')} taps={taps} />
      <TapFeedback taps={taps} />
    </div>
  );
}

function CarouselCard({ element, taps }: { element: Body; taps: Taps }) {
  const title = textOf(element, 'title') ?? '';
  const link = safeHttpUrl(element.defaultUrl);
  return (
    <li class="carousel-card">
      <MessageImage url={element.imageUrl} />
      <p class="carousel-title">{link ? <ExternalLink url={link} label={title} /> : title}</p>
      {textOf(element, 'subtitle') ? <p class="carousel-subtitle">{textOf(element, 'subtitle')}</p> : null}
      <ButtonRow actions={actionsOf(element, 'buttons')} taps={taps} />
    </li>
  );
}

/**
 * A message's picture: http(s) only, sent without a referrer. It illustrates a title written next
 * to it (alt=""); one that does not load (gone, or refused by the page's policy) takes no room.
 */
export function MessageImage({ url }: { url: unknown }) {
  const [failed, setFailed] = useState(false);
  const src = safeHttpUrl(url);
  if (!src || failed) return null;
  return (
    <img
      class="message-image"
      src={src}
      alt=""
      loading="lazy"
      referrerpolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}
