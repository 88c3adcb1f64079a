import { useState } from 'preact/hooks';
import type { Conversation } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { navigate } from '../router/router';
import { useSignedIn } from '../session/session-context';

/** Leaving takes a second, explicit click: it cannot be undone from here (someone has to add me back). */
export function LeaveGroup({ conversation }: { conversation: Conversation }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const [asking, setAsking] = useState(false);
  const action = useAction();
  const leave = () =>
    void action.run(async () => {
      await client.http.leave(conversation.id);
      navigate('/', { replace: true });
    });
  if (!asking)
    return (
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        {t('chat.group.leave')}
      </button>
    );
  return (
    <div class="stack" role="group" aria-labelledby="leave-group-question">
      <p id="leave-group-question">{t('chat.group.leaveQuestion', { title: conversation.title ?? '' })}</p>
      <ErrorNotice error={action.error} />
      <div class="button-row">
        <button type="button" class="danger" onClick={leave} disabled={action.busy}>
          {t('chat.group.leaveConfirm')}
        </button>
        <button type="button" onClick={() => setAsking(false)} disabled={action.busy}>
          {t('chat.group.leaveCancel')}
        </button>
      </div>
    </div>
  );
}
