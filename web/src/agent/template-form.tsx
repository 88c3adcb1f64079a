import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { ChoiceField } from './choice-field';

const TAGS = ['order_update', 'account_update'] as const;
const ORDER_STATUSES = ['confirmed', 'shipped', 'out_for_delivery', 'delivered', 'delayed', 'cancelled', 'returned'];

interface Props {
  busy: boolean;
  onSend: (body: Record<string, unknown>, after: () => void) => void;
}

/**
 * Outside the 24-hour window only a tagged transactional update goes out: an order update
 * (`business.order_update`) with its tag, as docs/business.md describes.
 */
export function TemplateForm({ busy, onSend }: Props) {
  const { t } = useI18n();
  const [tag, setTag] = useState<string>(TAGS[0]);
  const [orderNumber, setOrderNumber] = useState('');
  const [status, setStatus] = useState(ORDER_STATUSES[1]!);
  const [text, setText] = useState('');
  return (
    <form
      class="agent-template-form"
      aria-label={t('agent.template.label')}
      onSubmit={(e) => {
        e.preventDefault();
        const template = {
          type: 'order_update',
          orderNumber: orderNumber.trim(),
          status,
          ...(text.trim() ? { text: text.trim() } : {}),
        };
        onSend({ template, tag }, () => {
          setOrderNumber('');
          setText('');
        });
      }}
    >
      <p>{t('agent.template.help')}</p>
      <ChoiceField
        label={t('agent.template.tag')}
        value={tag}
        choices={TAGS.map((x) => ({ value: x, label: t(`agent.template.tag.${x}`) }))}
        onChange={setTag}
      />
      <label class="agent-inline-field">
        {t('agent.template.orderNumber')}
        <input required maxLength={64} value={orderNumber} onInput={(e) => setOrderNumber(e.currentTarget.value)} />
      </label>
      <ChoiceField
        label={t('agent.template.orderStatus')}
        value={status}
        choices={ORDER_STATUSES.map((x) => ({ value: x, label: x.replace(/_/g, ' ') }))}
        onChange={setStatus}
      />
      <label class="agent-inline-field">
        {t('agent.template.text')}
        <input maxLength={640} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {t('agent.template.send')}
      </button>
    </form>
  );
}
