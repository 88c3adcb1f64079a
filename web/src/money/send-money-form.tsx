import type { TargetedEvent } from 'preact';
import { useId, useMemo, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { TextField } from '../components/text-field';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { actionErrorText } from '../i18n/action-error-text';
import { useAttemptKey } from './attempt-key';
import { currencyDecimals, formatMoney, parseAmount } from './money-format';
import { paymentsApi, type Balance } from './payments-api';
import { PIN_PATTERN } from './pin-dialog';

const EMPTY = { to: '', amount: '', note: '', pin: '' };
type Field = keyof typeof EMPTY;

/**
 * Sends money to a handle: amount, currency (one I hold), a note, confirmed with my PIN. Each
 * attempt has a fresh idempotency key, kept only while its outcome is unknown.
 */
export function SendMoneyForm({ balances, onSent }: { balances: Balance[]; onSent: () => void }) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const api = useMemo(() => paymentsApi(client), [client]);
  const key = useAttemptKey();
  const currencyId = useId();
  const [fields, setFields] = useState(EMPTY);
  const [currency, setCurrency] = useState(balances[0]?.currency ?? '');
  const [invalid, setInvalid] = useState<Partial<Record<Field, string>>>({});
  const action = useAction();
  const [sent, setSent] = useState<string | null>(null);
  if (balances.length === 0) return <p class="placeholder">{t('money.send.nothing')}</p>;
  const chosen = balances.some((b) => b.currency === currency) ? currency : balances[0]!.currency;
  const set = (field: Field) => (value: string) => setFields((f) => ({ ...f, [field]: value }));

  const submit = async (event: TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const handle = fields.to.trim().replace(/^@/, '');
    const amountMinor = parseAmount(fields.amount, chosen);
    const problems: Partial<Record<Field, string>> = {};
    if (!handle) problems.to = t('validation.required');
    if (amountMinor === null) problems.amount = t('money.send.amountInvalid', { decimals: currencyDecimals(chosen) });
    if (!PIN_PATTERN.test(fields.pin)) problems.pin = t('money.pin.format');
    setInvalid(problems);
    if (Object.keys(problems).length > 0 || amountMinor === null) return;
    setSent(null);
    await action.run(async () => {
      const note = fields.note.trim();
      try {
        await api.send({
          to: `@${handle}`,
          amountMinor,
          currency: chosen,
          pin: fields.pin,
          idempotencyKey: key.current(),
          ...(note ? { note } : {}),
        });
      } catch (failure) {
        key.failed(failure);
        setFields((f) => ({ ...f, pin: '' }));
        throw failure;
      }
      key.done();
      setSent(t('money.send.sent', { amount: formatMoney(language, amountMinor, chosen), handle: `@${handle}` }));
      setFields(EMPTY);
      onSent();
    });
  };

  return (
    <form class="stack send-money" onSubmit={(event) => void submit(event)} noValidate>
      <TextField
        name="to"
        label={t('money.send.to')}
        help={t('money.send.toHelp')}
        value={fields.to}
        onValue={set('to')}
        error={invalid.to}
        autoCapitalize="none"
        spellcheck={false}
      />
      <div class="amount-row">
        <TextField
          name="amount"
          label={t('money.send.amount')}
          value={fields.amount}
          onValue={set('amount')}
          error={invalid.amount}
        />
        <div class="field">
          <label for={currencyId}>{t('money.send.currency')}</label>
          <select id={currencyId} value={chosen} onChange={(event) => setCurrency(event.currentTarget.value)}>
            {balances.map((b) => (
              <option key={b.currency} value={b.currency}>
                {b.currency}
              </option>
            ))}
          </select>
        </div>
      </div>
      <TextField name="note" label={t('money.send.note')} value={fields.note} onValue={set('note')} maxLength={200} />
      <TextField
        name="pin"
        type="password"
        autoComplete="off"
        label={t('money.pin.label')}
        value={fields.pin}
        onValue={set('pin')}
        error={invalid.pin}
        maxLength={8}
      />
      <ErrorNotice error={action.error} describe={actionErrorText} />
      <p class="tap-note" role="status">
        {sent}
      </p>
      <div class="button-row">
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? t('money.send.sending') : t('money.send.submit')}
        </button>
      </div>
    </form>
  );
}
