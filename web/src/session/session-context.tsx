import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { HttpApi, SwitchboardClient, localStorageStore } from '../../../sdk/client/index.js';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import { fieldsOf } from '../i18n/error-text';
import { appStore, forgetUserData, userStorePrefix } from './app-store';

const TOKEN_KEY = 'token';
/** Answers that mean the saved token is dead: sign in again. Anything else (no network…) keeps it. */
const TOKEN_REFUSED = new Set(['unauthenticated', 'session_ended', 'account_deactivated']);

/** A signed-in person: who they are, and the one client (socket, cache, HTTP) of their session. */
export interface Session {
  user: PublicUser;
  client: SwitchboardClient;
}

export type SessionState =
  | { status: 'restoring' }
  /** `reason`: why the person was signed out (their session ended elsewhere), shown on the login screen. */
  | { status: 'signed-out'; reason?: unknown }
  | { status: 'signed-in'; session: Session }
  | { status: 'restore-failed'; error: unknown };

export interface SessionApi {
  state: SessionState;
  /** Throw the client library's ClientError for the form to show. */
  login: (handle: string, password: string) => Promise<void>;
  register: (handle: string, displayName: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** After a failed restore: ask the host again, or give the saved session up. */
  retryRestore: () => void;
  forget: () => void;
}

const SessionContext = createContext<SessionApi | null>(null);

/**
 * Keeps the session: the token is saved (appStore), so a reload signs the person back in (checked
 * with GET /v1/me); a token the host refuses, now or later (the socket ends the session), signs out.
 */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<SessionState>(() =>
    appStore.get(TOKEN_KEY) ? { status: 'restoring' } : { status: 'signed-out' },
  );
  const current = useRef<Session | null>(null);

  const end = useCallback((reason?: unknown) => {
    const session = current.current;
    current.current = null;
    session?.client.close();
    appStore.delete(TOKEN_KEY);
    setState(reason === undefined ? { status: 'signed-out' } : { status: 'signed-out', reason });
  }, []);

  const start = useCallback(
    (user: PublicUser, token: string) => {
      appStore.set(TOKEN_KEY, token);
      const client = new SwitchboardClient({
        baseUrl: location.origin,
        token,
        store: localStorageStore(userStorePrefix(user.id)),
      });
      const session = { user, client };
      current.current = session;
      client.on('state', (next) => {
        if (next === 'ended' && current.current === session) end({ code: 'session_ended' });
      });
      client.connect().catch((error: unknown) => {
        if (current.current === session && TOKEN_REFUSED.has(fieldsOf(error).code)) end(error);
      });
      setState({ status: 'signed-in', session });
    },
    [end],
  );

  const restore = useCallback(() => {
    const token = appStore.get(TOKEN_KEY);
    if (!token) return setState({ status: 'signed-out' });
    setState({ status: 'restoring' });
    new HttpApi({ baseUrl: location.origin, token }).me().then(
      (user) => start(user, token),
      (error: unknown) => {
        if (TOKEN_REFUSED.has(fieldsOf(error).code)) end(error);
        else setState({ status: 'restore-failed', error });
      },
    );
  }, [start, end]);

  useEffect(() => {
    if (appStore.get(TOKEN_KEY)) restore();
    return () => current.current?.client.close();
  }, [restore]);

  const api = useMemo<SessionApi>(
    () => ({
      state,
      async login(handle, password) {
        const { token, user } = await new HttpApi({ baseUrl: location.origin }).login(handle, password);
        start(user, token);
      },
      async register(handle, displayName, password) {
        const { token, user } = await new HttpApi({ baseUrl: location.origin }).register(handle, displayName, password);
        start(user, token);
      },
      async logout() {
        const session = current.current;
        if (!session) return;
        // Its socket closing from here on is this log out, not a session that ended elsewhere.
        current.current = null;
        session.client.close();
        try {
          await session.client.http.logout();
        } catch {
          // The host could not be told (offline, or the token already ended): this browser forgets the session anyway.
        }
        forgetUserData(session.user.id);
        appStore.delete(TOKEN_KEY);
        setState({ status: 'signed-out' });
      },
      retryRestore: restore,
      forget: () => end(),
    }),
    [state, start, end, restore],
  );
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a <SessionProvider> above it');
  return session;
}

/** The signed-in person's session, for screens shown only then (the app frame and what it holds). */
export function useSignedIn(): Session {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedIn() outside a signed-in screen');
  return state.session;
}
