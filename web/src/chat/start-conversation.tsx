import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { DirectChatForm } from './direct-chat-form';
import { GroupForm } from './group-form';

type Panel = 'direct' | 'group' | null;

/**
 * "New chat" and "New group": each button opens its form under it (and shows as pressed while it
 * is open); one open at a time. Escape in a form closes it, the focus back on its button.
 */
export function StartConversation() {
  const { t } = useI18n();
  const [open, setOpen] = useState<Panel>(null);
  const buttons = { direct: useRef<HTMLButtonElement>(null), group: useRef<HTMLButtonElement>(null) };
  const toggle = (panel: Panel) => setOpen(open === panel ? null : panel);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || open === null || event.defaultPrevented) return;
    event.preventDefault();
    buttons[open].current?.focus();
    setOpen(null);
  };
  return (
    <div class="start-conversation" onKeyDown={onKeyDown}>
      <div class="button-row">
        <button
          ref={buttons.direct}
          type="button"
          class="toggle-button"
          aria-expanded={open === 'direct'}
          aria-controls="new-direct"
          onClick={() => toggle('direct')}
        >
          {t('chat.start.direct')}
        </button>
        <button
          ref={buttons.group}
          type="button"
          class="toggle-button"
          aria-expanded={open === 'group'}
          aria-controls="new-group"
          onClick={() => toggle('group')}
        >
          {t('chat.start.group')}
        </button>
      </div>
      <div id="new-direct" hidden={open !== 'direct'}>
        {open === 'direct' ? <DirectChatForm onDone={() => setOpen(null)} /> : null}
      </div>
      <div id="new-group" hidden={open !== 'group'}>
        {open === 'group' ? <GroupForm onDone={() => setOpen(null)} /> : null}
      </div>
    </div>
  );
}
