import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { HttpApi, SwitchboardClient, localStorageStore, type AuthResult } from '../../../sdk/client/index.js';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import { rememberLimits } from './host-limits';
import { forgetSession, forgetUserData, saveSession, savedSession, userStorePrefix } from './app-store';

/** A signed-in person: who they are, and the one client (socket, cache, HTTP) of their session. */
export interface Session {
  user: PublicUser;
  client: SwitchboardClient;
}

export type SessionState =
  /** Signed out, `reason`: why the person was signed out (their session ended elsewhere), shown on the login screen. */
  | { status: 'signed-out'; reason?: unknown }
  | { status: 'signed-in'; session: Session }
  /** Logging out: the signed-in screens are gone while the token is revoked. */
  | { status: 'signing-out' };

export interface SessionApi {
  state: SessionState;
  /** Throw the client library's ClientError for the form to show. */
  login: (handle: string, password: string) => Promise<void>;
  register: (handle: string, displayName: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** My profile as the host answered a change of it here, shown at once (user.updated confirms it later). */
  adoptUser: (user: PublicUser) => void;
}

const SessionContext = createContext<SessionApi | null>(null);

/** Work a feature must do with the session's token before it ends (the token is refused after). */
export type LogoutStep = (client: SwitchboardClient) => Promise<void>;

const logoutSteps = new Set<LogoutStep>();

/**
 * Registers a step every log out runs first, such as ending this browser's push subscription so
 * the next person on it gets none of the last one's notifications. Features register here rather
 * than the session knowing them; a step that fails does not keep the person signed in.
 */
export function beforeLogout(step: LogoutStep): void {
  logoutSteps.add(step);
}

/**
 * Keeps the session: the token and the user are saved together (appStore), so a reload starts the
 * session at once from them, the client library's cache showing the conversations before the
 * socket is up; a token the host refuses, then or later, ends the session and signs out.
 */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const current = useRef<Session | null>(null);

  const end = useCallback((reason: unknown) => {
    const session = current.current;
    current.current = null;
    session?.client.close();
    forgetSession();
    setState({ status: 'signed-out', reason });
  }, []);

  // My profile as the host has it now (renamed here, on another device or by the operator): every
  // screen shows it at once, and it is saved for the next reload.
  const adopt = useCallback((next: PublicUser) => {
    const now = current.current;
    if (!now || next.id !== now.user.id) return;
    const token = now.client.http.token;
    if (token) saveSession({ user: next, token });
    if (sameProfile(now.user, next)) return;
    current.current = { user: next, client: now.client };
    setState({ status: 'signed-in', session: current.current });
  }, []);

  const start = useCallback(
    ({ user, token }: { user: PublicUser; token: string }): Session => {
      saveSession({ user, token });
      const client = new SwitchboardClient({
        baseUrl: location.origin,
        token,
        store: localStorageStore(userStorePrefix(user.id)),
      });
      const session = { user, client };
      current.current = session;
      // The session stays this client's while it lasts (its user may be replaced by a newer copy).
      const ours = () => current.current?.client === client;
      client.on('ready', (ready) => {
        rememberLimits(client, ready);
        if (ours()) adopt(ready.user);
      });
      client.on('user', (changed) => {
        if (ours()) adopt(changed);
      });
      // The client emits the ClientError that ended the session (refused or revoked token,
      // deactivated account) on 'error' right after its state became 'ended'.
      client.on('error', (error) => {
        if (client.state === 'ended' && ours()) end(error);
      });
      client.connect().catch(() => {
        // Ignored: a refused token also ends the session, handled by the 'error' listener above
        // with the same error; any other rejection is close() (log out, unmount).
      });
      return session;
    },
    [end, adopt],
  );

  const [state, setState] = useState<SessionState>(() => {
    const saved = savedSession();
    return saved ? { status: 'signed-in', session: start(saved) } : { status: 'signed-out' };
  });

  useEffect(() => () => current.current?.client.close(), []);

  const api = useMemo<SessionApi>(() => {
    const signIn = (auth: AuthResult) => setState({ status: 'signed-in', session: start(auth) });
    return {
      state,
      async login(handle, password) {
        signIn(await authApi().login(handle, password));
      },
      async register(handle, displayName, password) {
        signIn(await authApi().register(handle, displayName, password));
      },
      adoptUser: adopt,
      async logout() {
        const session = current.current;
        if (!session) return;
        // Its socket closing from here on is this log out, not a session that ended elsewhere.
        current.current = null;
        session.client.close();
        // The signed-in screens go first and their requests end before the token does: one still on
        // its way when the token is revoked would be refused (401) in the person's console.
        setState({ status: 'signing-out' });
        await settledWithin(session.client, SETTLE_MS);
        await Promise.allSettled([...logoutSteps].map((step) => step(session.client)));
        try {
          await session.client.http.logout();
        } catch {
          // The host could not be told (offline, or the token already ended): this browser forgets the session anyway.
        }
        forgetUserData(session.user.id);
        forgetSession();
        setState({ status: 'signed-out' });
      },
    };
  }, [state, start, adopt]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

/** Whether nothing another person or screen shows of a user changed (a ready frame repeats it as it was). */
function sameProfile(a: PublicUser, b: PublicUser): boolean {
  return a.handle === b.handle && a.displayName === b.displayName && a.avatarUrl === b.avatarUrl;
}

/** How long a log out waits for the session's requests in flight: a stalled one must not keep the person signed in. */
const SETTLE_MS = 5_000;

function settledWithin(client: SwitchboardClient, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([client.http.settled(), late]).finally(() => clearTimeout(timer));
}

/** Login and register need no token: a fresh API each time, so none is kept between attempts. */
function authApi(): HttpApi {
  return new HttpApi({ baseUrl: location.origin });
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
