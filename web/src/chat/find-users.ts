import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import { fieldsOf } from '../i18n/error-text';
import { useSignedIn } from '../session/session-context';
import { LocalError } from '../i18n/local-error';
import { usePeople } from '../people/people';

/** The handles typed in a field: separated by commas or spaces, with or without a leading @, each once. */
export function parseHandles(text: string): string[] {
  const handles = text
    .split(/[\s,;]+/)
    .map((h) => h.replace(/^@+/, ''))
    .filter((h) => h !== '');
  return [...new Set(handles)];
}

/** The users of these handles, in order; the first unknown one fails naming it (a LocalError). */
export function findUsers(client: SwitchboardClient, handles: readonly string[]): Promise<PublicUser[]> {
  return Promise.all(
    handles.map((handle) =>
      client.http.userByHandle(handle).catch((error: unknown) => {
        // A handle the host does not know (or cannot be a handle at all) is named to the person.
        const code = fieldsOf(error).code;
        if (code === 'user_not_found' || code === 'invalid_request')
          throw new LocalError('chat.start.noSuchHandle', { handle });
        throw error;
      }),
    ),
  );
}

/** Finds the users of handles and remembers them, so their names show at once in what follows. */
export function useFindUsers(): (handles: readonly string[]) => Promise<PublicUser[]> {
  const { client } = useSignedIn();
  const people = usePeople();
  return async (handles) => {
    const users = await findUsers(client, handles);
    users.forEach((user) => people.remember(user));
    return users;
  };
}
