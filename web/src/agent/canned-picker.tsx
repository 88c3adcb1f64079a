import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import type { Canned } from './agent-api';

interface Props {
  /** The business's canned responses (read once for the inbox). */
  list: Canned[];
  disabled: boolean;
  /** The response's text (placeholders as saved) to put in the composer for editing. */
  onInsert: (text: string) => void;
  /** Sends it as is, by shortcode: the host fills the placeholders. */
  onSend: (shortcode: string) => void;
}

/** The business's canned responses: pick one, then insert it in the reply or send it at once. */
export function CannedPicker({ list, disabled, onInsert, onSend }: Props) {
  const { t } = useI18n();
  const [picked, setPicked] = useState('');
  if (list.length === 0) return null;
  const chosen = list.find((c) => c.shortcode === picked);
  return (
    <div class="agent-canned" role="group" aria-label={t('agent.canned.group')}>
      <label class="agent-inline-field">
        {t('agent.canned.label')}
        <select value={picked} onChange={(e) => setPicked(e.currentTarget.value)}>
          <option value="">{t('agent.canned.choose')}</option>
          {list.map((c) => (
            <option key={c.shortcode} value={c.shortcode}>
              {`/${c.shortcode} – ${c.text.slice(0, 40)}`}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={!chosen || disabled} onClick={() => chosen && onInsert(chosen.text)}>
        {t('agent.canned.insert')}
      </button>
      <button type="button" disabled={!chosen || disabled} onClick={() => chosen && onSend(chosen.shortcode)}>
        {t('agent.canned.send')}
      </button>
    </div>
  );
}
