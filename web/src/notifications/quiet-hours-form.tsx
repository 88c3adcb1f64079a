import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import type { NotificationSettings } from '../../../sdk/protocol/push.js';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useLoad } from '../components/use-load';
import { errorTextWith } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { quietHoursErrorText, refusedField, type QuietField } from './quiet-hours-error-text';

interface Form {
  on: boolean;
  start: string;
  end: string;
  timeZone: string;
}

/** The zone this browser runs in: what most people mean by "my evenings". */
function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The settings as the host keeps them; a person without quiet hours starts from a usual night. */
function formOf(settings: NotificationSettings): Form {
  const quiet = settings.quietHours;
  return quiet
    ? { on: true, start: quiet.start, end: quiet.end, timeZone: quiet.timeZone }
    : { on: false, start: '22:00', end: '07:00', timeZone: browserTimeZone() };
}

const TIMES = [
  ['start', 'notifications.quiet.from'],
  ['end', 'notifications.quiet.to'],
] as const;

const loadErrorText = errorTextWith('notifications');

/** The person's quiet hours (GET and PUT /v1/me/notification-settings): on or off, from, to, and the zone. */
export function QuietHoursForm() {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const settings = useLoad(() => client.http.notificationSettings(), [client]);
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState<NotificationSettings | null>(null);
  const action = useAction();
  const id = useId();
  // The zones this browser knows, offered as suggestions: the field still takes any text, and the host decides.
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone'), []);
  useEffect(() => {
    if (settings.data && !form) setForm(formOf(settings.data));
  }, [settings.data, form]);
  if (!form) {
    return settings.error ? (
      <ErrorNotice error={settings.error} describe={loadErrorText} />
    ) : (
      <p role="status">{t('app.loading')}</p>
    );
  }
  const refused = refusedField(action.error)?.field ?? null;
  const edit = (patch: Partial<Form>) => {
    setSaved(null);
    setForm({ ...form, ...patch });
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const quietHours = form.on ? { start: form.start, end: form.end, timeZone: form.timeZone.trim() } : null;
      const stored = await client.http.setNotificationSettings({ quietHours });
      // The host's answer: the zone under its canonical spelling.
      setForm(stored.quietHours ? formOf(stored) : { ...form, on: false });
      setSaved(stored);
    });
  };
  const field = (name: QuietField) => ({
    id: `${id}-${name}`,
    disabled: !form.on,
    'aria-invalid': refused === name ? true : undefined,
    'aria-describedby': refused === name ? `${id}-error` : undefined,
  });
  return (
    <form class="quiet-hours-form stack" aria-label={t('notifications.quiet.title')} onSubmit={submit}>
      <p class="field-help">{t('notifications.quiet.help')}</p>
      <label class="checkbox-field">
        <input type="checkbox" checked={form.on} onChange={(e) => edit({ on: e.currentTarget.checked })} />
        {t('notifications.quiet.enabled')}
      </label>
      {TIMES.map(([name, label]) => (
        <div class="field" key={name}>
          <label for={`${id}-${name}`}>{t(label)}</label>
          <input
            type="time"
            {...field(name)}
            value={form[name]}
            onInput={(e) => edit({ [name]: e.currentTarget.value })}
          />
        </div>
      ))}
      <div class="field">
        <label for={`${id}-timeZone`}>{t('notifications.quiet.timeZone')}</label>
        <input
          type="text"
          {...field('timeZone')}
          list={`${id}-zones`}
          autoComplete="off"
          spellcheck={false}
          maxLength={64}
          value={form.timeZone}
          onInput={(e) => edit({ timeZone: e.currentTarget.value })}
        />
        <datalist id={`${id}-zones`}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </div>
      <button type="submit" class="primary" disabled={action.busy}>
        {action.busy ? t('notifications.quiet.saving') : t('notifications.quiet.save')}
      </button>
      <p role="status">
        {saved === null
          ? null
          : saved.quietHours
            ? t('notifications.quiet.savedOn', { ...saved.quietHours })
            : t('notifications.quiet.savedOff')}
      </p>
      <ErrorNotice id={`${id}-error`} error={action.error} describe={quietHoursErrorText} />
    </form>
  );
}
