import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { DirectChatForm } from './direct-chat-form';
import { GroupForm } from './group-form';

type Panel = 'direct' | 'group' | null;

/** "New chat" and "New group": each button opens its form under it; one open at a time. */
export function StartConversation() {
  const { t } = useI18n();
  const [open, setOpen] = useState<Panel>(null);
  const toggle = (panel: Panel) => setOpen(open === panel ? null : panel);
  return (
    <div class="start-conversation">
      <div class="button-row">
        <button
          type="button"
          aria-expanded={open === 'direct'}
          aria-controls="new-direct"
          onClick={() => toggle('direct')}
        >
          {t('chat.start.direct')}
        </button>
        <button
          type="button"
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
