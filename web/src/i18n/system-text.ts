import type { StructuredContent } from '../../../sdk/protocol/message.js';
import type { Language } from './language';
import type { Translate } from './translate';

/** What turning a message into words needs: the texts, the language (for lists) and people's names. */
export interface Wording {
  t: Translate;
  language: Language;
  name: (userId: string) => string;
}

/** Whether content is one of the host's notices: membership, title and pin changes. */
export function isSystem(content: { type: string } | null): content is StructuredContent {
  return content !== null && content.type.startsWith('system.');
}

/** A system message in words, by its sender (who made the change): "Ada added Bob and Carol". */
export function systemText(content: StructuredContent, senderId: string, w: Wording): string {
  const { t } = w;
  const body = content.body;
  const actor = w.name(senderId);
  const person = typeof body.userId === 'string' ? w.name(body.userId) : t('chat.someone');
  switch (content.type) {
    case 'system.conversation_created':
      return typeof body.title === 'string'
        ? t('chat.system.groupCreated', { actor, title: body.title })
        : t('chat.system.directCreated', { actor });
    case 'system.members_added': {
      const ids = Array.isArray(body.userIds) ? body.userIds.filter((id): id is string => typeof id === 'string') : [];
      const names = new Intl.ListFormat(w.language, { type: 'conjunction' }).format(ids.map(w.name));
      return t(body.role === 'admin' ? 'chat.system.adminsAdded' : 'chat.system.membersAdded', { actor, names });
    }
    case 'system.member_removed':
      return t('chat.system.memberRemoved', { actor, name: person });
    case 'system.member_left':
      return t('chat.system.memberLeft', { name: person });
    case 'system.role_changed':
      if (body.role === 'owner') return t('chat.system.madeOwner', { actor, name: person });
      if (body.role === 'admin') return t('chat.system.madeAdmin', { actor, name: person });
      return t('chat.system.madeMember', { actor, name: person });
    case 'system.title_changed':
      return t('chat.system.titleChanged', { actor, title: typeof body.title === 'string' ? body.title : '' });
    case 'system.message_pinned':
      return t('chat.system.messagePinned', { actor });
    case 'system.message_unpinned':
      return t('chat.system.messageUnpinned', { actor });
    default:
      return t('chat.system.other');
  }
}
