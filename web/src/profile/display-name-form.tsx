import { useEffect, useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { fieldsOf } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import { usePeople } from '../people/people';
import { fieldsFromDetails } from '../screens/registration-rules';
import { useSession, useSignedIn } from '../session/session-context';
import { ACCOUNT_RULES } from '../../../sdk/protocol/message.js';
import { FormStatus } from './form-status';

/**
 * My display name. The host judges it (1 to 64 characters, not only spaces): its refusal is said by
 * the field, in words, where it is fixed. The field gets the focus when the screen opens.
 */
export function DisplayNameForm() {
  const { t } = useI18n();
  const { client, user } = useSignedIn();
  const { adoptUser } = useSession();
  const people = usePeople();
  const [name, setName] = useState(user.displayName);
  const [edited, setEdited] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const field = useFocusOnMount<HTMLInputElement>();
  // Renamed elsewhere (another device) while this field was left as it was: it follows.
  useEffect(() => {
    if (!edited) setName(user.displayName);
  }, [user.displayName, edited]);

  const refused =
    fieldsOf(action.error).code === 'invalid_request' &&
    fieldsFromDetails((action.error as { details?: unknown }).details).includes('displayName');
  const fieldError = empty ? t('validation.required') : refused ? t('validation.displayName') : null;

  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    action.clear();
    setEmpty(name === '');
    if (name === '') {
      field.current?.focus();
      return;
    }
    void action.run(async () => {
      const updated = await client.http.updateProfile({ displayName: name });
      adoptUser(updated);
      people.remember(updated);
      setEdited(false);
      setSaved(t('profile.name.saved', { name: updated.displayName }));
    });
  };
  // Refused: back to the field that says why.
  useEffect(() => {
    if (refused) field.current?.focus();
  }, [refused]);

  const errorId = 'profile-name-error';
  return (
    <form class="stack profile-form" onSubmit={submit} noValidate aria-busy={action.busy}>
      <div class="field">
        <label for="profile-display-name">{t('auth.displayName')}</label>
        <input
          id="profile-display-name"
          ref={field}
          type="text"
          name="displayName"
          autoComplete="nickname"
          maxLength={ACCOUNT_RULES.displayName.maxLength * 2}
          required
          value={name}
          data-route-focus
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `profile-name-help ${errorId}` : 'profile-name-help'}
          onInput={(event) => {
            setName(event.currentTarget.value);
            setEdited(true);
            setEmpty(false);
            setSaved(null);
          }}
        />
        <p class="field-help" id="profile-name-help">
          {t('auth.displayNameHelp')}
        </p>
        {fieldError ? (
          <p class="field-error" id={errorId}>
            {fieldError}
          </p>
        ) : null}
      </div>
      <FormStatus error={refused ? null : action.error} status={saved} />
      <div class="button-row">
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? t('profile.name.saving') : t('profile.name.save')}
        </button>
      </div>
    </form>
  );
}
