import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi } from './agent-api';
import { agentErrorText } from './agent-error-text';

/** The business's canned responses: listed with their text, added by shortcode (placeholders checked by the plugin), deleted. */
export function CannedSettings({ api, businessId }: { api: AgentApi; businessId: string }) {
  const { t } = useI18n();
  const canned = useLoad(() => api.canned(businessId), [businessId]);
  const [shortcode, setShortcode] = useState('');
  const [text, setText] = useState('');
  const action = useAction();
  const after = (work: () => Promise<void>) =>
    void action.run(async () => {
      await work();
      canned.reload();
    });
  return (
    <section class="agent-card" aria-labelledby="agent-canned-title">
      <h3 id="agent-canned-title">{t('agent.cannedSettings.title')}</h3>
      <ErrorNotice error={canned.error} describe={agentErrorText} />
      {(canned.data ?? []).length === 0 ? (
        <p class="agent-empty">{t('agent.cannedSettings.none')}</p>
      ) : (
        <ul class="agent-plain-list" aria-label={t('agent.cannedSettings.list')}>
          {canned.data!.map((c) => (
            <li key={c.shortcode}>
              <code>/{c.shortcode}</code> {c.text}{' '}
              <button
                type="button"
                disabled={action.busy}
                aria-label={t('agent.cannedSettings.deleteNamed', { shortcode: c.shortcode })}
                onClick={() => after(() => api.deleteCanned(businessId, c.shortcode).then(() => undefined))}
              >
                {t('agent.cannedSettings.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          after(async () => {
            await api.createCanned(businessId, { shortcode: shortcode.trim(), text });
            setShortcode('');
            setText('');
          });
        }}
      >
        <label class="agent-inline-field">
          {t('agent.cannedSettings.shortcode')}
          <input required maxLength={32} value={shortcode} onInput={(e) => setShortcode(e.currentTarget.value)} />
        </label>
        <label class="agent-inline-field">
          {t('agent.cannedSettings.text')}
          <textarea required maxLength={4000} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <p class="field-help">{t('agent.cannedSettings.help')}</p>
        <button type="submit" disabled={action.busy}>
          {t('agent.cannedSettings.add')}
        </button>
      </form>
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </section>
  );
}
