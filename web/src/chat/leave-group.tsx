import type { Conversation } from '../../../sdk/protocol/message.js';
import { ConfirmButton } from '../components/confirm-button';
import { useI18n } from '../i18n/i18n-context';
import { navigate } from '../router/router';
import { useSignedIn } from '../session/session-context';

/** Leaving takes a second, explicit click: it cannot be undone from here (someone has to add me back). */
export function LeaveGroup({ conversation }: { conversation: Conversation }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  return (
    <ConfirmButton
      label={t('chat.group.leave')}
      question={t('chat.group.leaveQuestion', { title: conversation.title ?? '' })}
      confirm={t('chat.group.leaveConfirm')}
      cancel={t('chat.group.leaveCancel')}
      onConfirm={async () => {
        await client.http.leave(conversation.id);
        navigate('/', { replace: true });
      }}
    />
  );
}
