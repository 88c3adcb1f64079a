import { useLayoutEffect } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { Conversation, PublicUser } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { CachedLookup } from '../session/cached-lookup';
import { useRerender } from '../session/client-hooks';
import { MemberListing } from './member-listing';

/** What the chat screens know of people: users by id, and who the other person of each direct conversation is. */
interface Directory {
  users: CachedLookup<PublicUser>;
  /**
   * Direct conversation id (or a two-member group's, for the business menu) → the other member's
   * user id (null if there is none).
   */
  partners: CachedLookup<string | null>;
  /** Shared with the open conversation's member list (useMembers), so one request serves both. */
  members: MemberListing;
}

const directories = new WeakMap<SwitchboardClient, Directory>();

/** One directory per session's client, so a user is fetched once whichever screen asks first. */
export function directoryOf(client: SwitchboardClient, me: PublicUser): Directory {
  let directory = directories.get(client);
  if (!directory) {
    const members = new MemberListing(client);
    directory = {
      users: new CachedLookup((id) => client.http.user(id)),
      partners: new CachedLookup(async (conversationId) => {
        const list = await members.of(conversationId);
        return list.find((m) => m.userId !== me.id)?.userId ?? null;
      }),
      members,
    };
    directory.users.seed(me.id, me);
    // A rename or a new avatar (user.updated) shows at once wherever the person is shown.
    const users = directory.users;
    client.on('user', (user) => users.seed(user.id, user));
    // Those changes are not replayed after a reconnect: the people shown are asked for again.
    let connected = client.state === 'online';
    client.on('ready', () => {
      if (connected) users.refreshAll();
      connected = true;
    });
    directories.set(client, directory);
  }
  return directory;
}

export interface People {
  me: PublicUser;
  user: (id: string) => PublicUser | undefined;
  /** A display name, or a neutral word while it is being fetched. */
  name: (id: string) => string;
  /** Who sent a message, as shown beside it: "You" for me, else their name. */
  sender: (id: string) => string;
  /** The other person of a direct conversation: undefined while unknown, null if there is none. */
  partner: (conversation: Conversation) => string | null | undefined;
  /** The title a conversation is shown with: a group's own, a direct one's other person. */
  title: (conversation: Conversation) => string;
  /** Remembers a user found another way (by handle). */
  remember: (user: PublicUser) => void;
}

/** The directory, re-rendering the caller whenever a fetched user or partner arrives. */
export function usePeople(): People {
  const { client, user: me } = useSignedIn();
  const { t } = useI18n();
  const directory = directoryOf(client, me);
  const bump = useRerender();
  useLayoutEffect(() => {
    const offUsers = directory.users.subscribe(bump);
    const offPartners = directory.partners.subscribe(bump);
    return () => {
      offUsers();
      offPartners();
    };
  }, [directory]);
  const name = (id: string) => directory.users.get(id)?.displayName ?? t('chat.someone');
  const partner = (conversation: Conversation) => {
    // A message from someone else in a direct conversation names the other person: no need to ask.
    const last = conversation.lastMessage;
    if (last && last.senderId !== me.id) directory.partners.seed(conversation.id, last.senderId);
    return directory.partners.get(conversation.id);
  };
  return {
    me,
    user: (id) => directory.users.get(id),
    name,
    sender: (id) => (id === me.id ? t('chat.you') : name(id)),
    partner,
    title(conversation) {
      if (conversation.kind === 'group') return conversation.title ?? t('chat.untitledGroup');
      const other = partner(conversation);
      if (other === undefined) return t('chat.directLoading');
      return other === null ? t('chat.directAlone') : name(other);
    },
    remember: (user) => directory.users.seed(user.id, user),
  };
}
