import type { Conversation } from '../../../sdk/protocol/message.js';
import { Avatar, type AvatarSize } from '../people/avatar';
import type { People } from '../people/people';

/**
 * A conversation's picture: the other person's avatar in a direct conversation, the initials of a
 * group's name (groups have no image of their own).
 */
export function ConversationAvatar({
  conversation,
  people,
  size = 'small',
}: {
  conversation: Conversation;
  people: People;
  size?: AvatarSize;
}) {
  const partner = conversation.kind === 'direct' ? people.partner(conversation) : null;
  const url = partner ? people.user(partner)?.avatarUrl : null;
  return <Avatar url={url} name={people.title(conversation)} seed={partner ?? conversation.id} size={size} />;
}
