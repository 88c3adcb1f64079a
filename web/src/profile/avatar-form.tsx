import { useEffect, useRef, useState } from 'preact/hooks';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import { useAction } from '../components/use-action';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { errorTextWith } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import { Avatar } from '../people/avatar';
import { usePeople } from '../people/people';
import { useSession, useSignedIn } from '../session/session-context';
import { FormStatus } from './form-status';

/** The types the host makes avatars of (docs/protocol.md "Avatars and profile"): the file picker offers these. */
const IMAGE_TYPES = 'image/jpeg,image/png,image/webp,image/gif,image/avif';

/** A refused image in words: what was wrong with it (415, 413), not the status. */
const avatarErrorText = errorTextWith('profile');

/**
 * My picture: the current one (or my initials), a file picker whose choice is shown before it is
 * sent, then sent as it is (the host crops and scales it), busy meanwhile; and removing it.
 */
export function AvatarForm() {
  const { t } = useI18n();
  const { client, user } = useSignedIn();
  const { adoptUser } = useSession();
  const people = usePeople();
  const action = useAction();
  const [chosen, setChosen] = useState<{ file: File; preview: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  // The preview's object URL is the browser's until revoked: once another is chosen, or the form goes.
  useEffect(() => () => (chosen ? URL.revokeObjectURL(chosen.preview) : undefined), [chosen]);

  const applied = (updated: PublicUser, words: string) => {
    adoptUser(updated);
    people.remember(updated);
    setDone(words);
  };
  const choose = (file: File | undefined) => {
    action.clear();
    setDone(null);
    setChosen(file ? { file, preview: URL.createObjectURL(file) } : null);
  };
  const cancel = () => {
    choose(undefined);
    if (picker.current) picker.current.value = '';
    picker.current?.focus();
  };
  const upload = () =>
    void action
      .run(async () => {
        if (!chosen) return;
        // The file's own type is only a claim: the host reads the content, and says when they disagree.
        const updated = await client.http.setAvatar(chosen.file, chosen.file.type || undefined);
        setChosen(null);
        if (picker.current) picker.current.value = '';
        applied(updated, t('profile.avatar.saved'));
      })
      .then(() => refocusIfLost(picker.current));
  const remove = () =>
    void action
      .run(async () => applied(await client.http.removeAvatar(), t('profile.avatar.removed')))
      .then(() => refocusIfLost(picker.current));

  return (
    <div class="stack profile-form" aria-busy={action.busy}>
      <div class="avatar-current">
        <Avatar
          url={user.avatarUrl}
          name={user.displayName}
          seed={user.id}
          size="large"
          label={t('profile.avatar.current')}
        />
        {user.avatarUrl ? null : <p class="placeholder">{t('profile.avatar.none')}</p>}
      </div>
      <div class="field">
        <label for="profile-avatar-file">{t('profile.avatar.choose')}</label>
        <input
          id="profile-avatar-file"
          ref={picker}
          type="file"
          accept={IMAGE_TYPES}
          disabled={action.busy}
          aria-describedby="profile-avatar-help"
          onChange={(event) => choose(event.currentTarget.files?.[0])}
        />
        <p class="field-help" id="profile-avatar-help">
          {t('profile.avatar.help')}
        </p>
      </div>
      {chosen ? (
        <div class="avatar-preview">
          <img src={chosen.preview} alt={t('profile.avatar.preview')} width={96} height={96} />
          <div class="button-row">
            <button type="button" class="primary" disabled={action.busy} onClick={upload}>
              {action.busy ? t('profile.avatar.uploading') : t('profile.avatar.use')}
            </button>
            <button type="button" disabled={action.busy} onClick={cancel}>
              {t('profile.avatar.cancel')}
            </button>
          </div>
        </div>
      ) : null}
      <FormStatus
        error={action.error}
        describe={avatarErrorText}
        status={action.busy ? (chosen ? t('profile.avatar.uploading') : t('profile.avatar.removing')) : done}
      />
      {user.avatarUrl && !chosen ? (
        <div class="button-row">
          <button type="button" class="danger" disabled={action.busy} onClick={remove}>
            {action.busy ? t('profile.avatar.removing') : t('profile.avatar.remove')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
