import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import type { BusinessSettings } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { useSettingsAction, type SettingsSectionProps } from './use-settings-action';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** "09:00-12:30, 13:30-17:00" ⇄ [["09:00","12:30"],["13:30","17:00"]]; the host checks the times. */
const rangesText = (ranges: [string, string][] | undefined) => (ranges ?? []).map((r) => r.join('-')).join(', ');
const parseRanges = (text: string) =>
  text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => r.split('-').map((x) => x.trim()) as [string, string]);

interface Form {
  timezone: string;
  days: Record<string, string>;
  away: string;
  mode: 'manual' | 'round_robin';
  team: string;
}

function formOf(s: BusinessSettings): Form {
  return {
    timezone: s.hours?.timezone ?? '',
    days: Object.fromEntries(DAYS.map((d) => [d, rangesText(s.hours?.weekly[d])])),
    away: s.awayMessage ?? '',
    mode: s.routing.mode,
    team: s.routing.team ?? '',
  };
}

/** Business hours (no time zone: always open), the away message, and routing (by hand or round-robin). */
export function HoursSettings({ api, businessId, settings }: SettingsSectionProps) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useSettingsAction(settings);
  useEffect(() => {
    if (settings.data && !form) setForm(formOf(settings.data));
  }, [settings.data, form]);
  if (!form) return <ErrorNotice error={settings.error} describe={agentErrorText} />;
  const edit = (patch: Partial<Form>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };
  const save = () =>
    action.change(async () => {
      const weekly = Object.fromEntries(
        DAYS.filter((d) => form.days[d]?.trim()).map((d) => [d, parseRanges(form.days[d]!)]),
      );
      const next = await api.patchSettings(businessId, {
        hours: form.timezone.trim() ? { timezone: form.timezone.trim(), weekly } : null,
        awayMessage: form.away.trim() || null,
        routing: form.mode === 'manual' ? { mode: 'manual' } : { mode: 'round_robin', team: form.team.trim() || null },
      });
      setForm(formOf(next));
      setSaved(true);
    });
  return (
    <section class="agent-card" aria-labelledby="agent-hours-title">
      <h3 id="agent-hours-title">{t('agent.hours.title')}</h3>
      <form
        class="agent-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label class="agent-inline-field">
          {t('agent.hours.timezone')}
          <input
            value={form.timezone}
            placeholder="Europe/Berlin"
            onInput={(e) => edit({ timezone: e.currentTarget.value })}
          />
        </label>
        <p class="agent-muted">{t('agent.hours.help')}</p>
        {DAYS.map((d) => (
          <label key={d} class="agent-inline-field">
            {t(`agent.hours.day.${d}`)}
            <input
              value={form.days[d] ?? ''}
              placeholder="09:00-17:00"
              onInput={(e) => edit({ days: { ...form.days, [d]: e.currentTarget.value } })}
            />
          </label>
        ))}
        <label class="field">
          <span>{t('agent.hours.away')}</span>
          <textarea
            rows={2}
            maxLength={1000}
            value={form.away}
            onInput={(e) => edit({ away: e.currentTarget.value })}
          />
        </label>
        <label class="agent-inline-field">
          {t('agent.routing.mode')}
          <select value={form.mode} onChange={(e) => edit({ mode: e.currentTarget.value as Form['mode'] })}>
            <option value="manual">{t('agent.routing.manual')}</option>
            <option value="round_robin">{t('agent.routing.roundRobin')}</option>
          </select>
        </label>
        {form.mode === 'round_robin' ? (
          <label class="agent-inline-field">
            {t('agent.routing.team')}
            <input value={form.team} onInput={(e) => edit({ team: e.currentTarget.value })} />
          </label>
        ) : null}
        <button type="submit" class="primary" disabled={action.busy}>
          {t('agent.hours.save')}
        </button>
        {saved ? <p role="status">{t('agent.hours.saved')}</p> : null}
      </form>
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </section>
  );
}
