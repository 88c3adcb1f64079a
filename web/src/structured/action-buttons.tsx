import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { actionErrorText } from '../i18n/action-error-text';
import type { Action } from './body-fields';
import type { Taps } from './use-postback';

/** A link that opens outside the app: a new tab that cannot reach back into this one. */
export function ExternalLink({ url, label, class: className }: { url: string; label: string; class?: string }) {
  const { t } = useI18n();
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" class={className}>
      {label}
      <span class="sr-only"> {t('structured.opensInNewTab')}</span>
    </a>
  );
}

function ActionControl({ action, taps, chip }: { action: Action; taps: Taps; chip?: boolean }) {
  const base = chip ? 'chip' : 'action-button';
  if (action.kind === 'link') return <ExternalLink url={action.url} label={action.label} class={`${base} link`} />;
  if (action.kind === 'inert') return <span class={`${base} inert`}>{action.label}</span>;
  return (
    <button
      type="button"
      class={`${base}${action.style ? ` ${action.style}` : ''}`}
      disabled={taps.busy !== null}
      aria-busy={taps.busy === action.id ? true : undefined}
      onClick={() => taps.tap(action.id)}
    >
      {action.label}
    </button>
  );
}

/** The buttons of a message or of one of its elements, under its text. */
export function ButtonRow({ actions, taps }: { actions: Action[]; taps: Taps }) {
  if (actions.length === 0) return null;
  return (
    <div class="action-buttons">
      {actions.map((action, i) => (
        <ActionControl key={i} action={action} taps={taps} />
      ))}
    </div>
  );
}

/** Quick replies: chips under the message, a list so their number is announced. */
export function QuickReplies({ actions, taps }: { actions: Action[]; taps: Taps }) {
  const { t } = useI18n();
  if (actions.length === 0) return null;
  return (
    <ul class="quick-replies" aria-label={t('structured.quickReplies')}>
      {actions.map((action, i) => (
        <li key={i}>
          <ActionControl action={action} taps={taps} chip />
        </li>
      ))}
    </ul>
  );
}

/**
 * What a tap came to, shown only here: the plugin's private reply, or the failure in words. Both
 * live regions are always present, so the answer is read out when it arrives.
 */
export function TapFeedback({ taps }: { taps: Taps }) {
  const { t } = useI18n();
  const shown = taps.note !== null || taps.error !== null;
  return (
    <div class="tap-feedback">
      <p class="tap-note" role="status">
        {taps.note}
      </p>
      <ErrorNotice error={taps.error} describe={actionErrorText} />
      {shown ? (
        <button type="button" class="dismiss" onClick={taps.dismiss}>
          {t('structured.dismiss')}
        </button>
      ) : null}
    </div>
  );
}
