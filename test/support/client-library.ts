/**
 * The client library (sdk/client) in the suites: real SwitchboardClients on Node's own WebSocket
 * and fetch against a real host, with a WebSocket that records the frames it carries (what the
 * library really sent and got) and a record of every event.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { ClientError, SwitchboardClient, type ClientEvents, type ClientOptions } from '../../sdk/client/index.js';
import { quietPeriod } from './protocol-helpers.js';
import { startTestHost, type TestHost, type TestHostOptions, type TestUser } from './start-test-host.js';

/** What went over a client's connections. */
export class Wire {
  /** Both directions in the order the client saw them. */
  readonly log: { dir: 'in' | 'out'; frame: any }[] = [];
  /** Close codes of the connections, in order. */
  readonly closes: number[] = [];

  /** Frames received, parsed. */
  get in(): any[] {
    return this.framesOf('in');
  }

  /** Frames sent, parsed. */
  get out(): any[] {
    return this.framesOf('out');
  }

  private framesOf(dir: 'in' | 'out'): any[] {
    return this.log.filter((entry) => entry.dir === dir).map((entry) => entry.frame);
  }
}

/** Node's global WebSocket, recording what goes over it. */
export function recordingWebSocket(wire: Wire): typeof WebSocket {
  return class RecordingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      const [url, protocols] = args;
      super(url, protocols);
      this.addEventListener('message', (e) => wire.log.push({ dir: 'in', frame: JSON.parse(String(e.data)) }));
      this.addEventListener('close', (e) => wire.closes.push(e.code));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string') wire.log.push({ dir: 'out', frame: JSON.parse(data) });
      super.send(data);
    }
  };
}

type Recorded = { [E in keyof ClientEvents]: Parameters<ClientEvents[E]>[] };

/** Every event of the client: a new one missing here fails to compile. */
const EVENT_NAMES: Record<keyof ClientEvents, true> = {
  state: true,
  ready: true,
  message: true,
  conversation: true,
  conversations: true,
  receipt: true,
  typing: true,
  presence: true,
  user: true,
  thread: true,
  threadRead: true,
  threadUnread: true,
  blocks: true,
  resync: true,
  pending: true,
  error: true,
};

export interface TestLibraryClient {
  client: SwitchboardClient;
  wire: Wire;
  /** Each event's arguments, in order (`events.state.flat()`: the states the client went through). */
  events: Recorded;
}

const open = new Set<SwitchboardClient>();

/**
 * A SwitchboardClient for `user` on `host` (reconnecting within 50–500 ms so tests stay quick),
 * with every event recorded. `connect: false` leaves it idle.
 */
export async function libraryClient(
  host: Pick<TestHost, 'url'>,
  user: Pick<TestUser, 'token'> | null,
  opts: Partial<ClientOptions> & { connect?: boolean; baseUrl?: string } = {},
): Promise<TestLibraryClient> {
  const wire = new Wire();
  const { connect = true, ...options } = opts;
  const client = new SwitchboardClient({
    baseUrl: host.url,
    token: user?.token ?? null,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    WebSocket: recordingWebSocket(wire),
    ...options,
  });
  open.add(client);
  const names = Object.keys(EVENT_NAMES) as (keyof ClientEvents)[];
  const events = Object.fromEntries(names.map((n) => [n, []])) as unknown as Recorded;
  for (const name of names) {
    client.on(name, ((...args: any[]) => (events[name] as any[][]).push(args)) as ClientEvents[typeof name]);
  }
  if (connect) await client.connect();
  return { client, wire, events };
}

/**
 * One host for the suite (started before its tests, stopped after them), with the clients each
 * test made closed after it. The host is read through the returned object, inside tests.
 */
export function libraryTestHost(options: TestHostOptions = {}): TestHost {
  let host: TestHost | undefined;
  beforeAll(async () => {
    host = await startTestHost(options);
  });
  afterEach(() => closeLibraryClients());
  afterAll(async () => {
    await host?.stop();
  });
  return new Proxy({} as TestHost, {
    get(_, key) {
      const value: unknown = Reflect.get(host!, key);
      return typeof value === 'function' ? value.bind(host) : value;
    },
  });
}

/** Two users with their direct conversation, each on a connected client. */
export async function directPair(host: TestHost) {
  const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
  const direct = await host.direct(a, b);
  const [ca, cb] = await Promise.all([libraryClient(host, a), libraryClient(host, b)]);
  return { a, b, direct, ca, cb };
}

/** The ClientError a promise rejects with; fails the test if it resolves or rejects otherwise. */
export async function clientRefusal(p: Promise<unknown>): Promise<ClientError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientError);
  return error as ClientError;
}

/** Closes every client the suite made (after each test). */
export function closeLibraryClients(): void {
  for (const client of open) client.close();
  open.clear();
}

/** The 'message' events of one message id and change. */
export function messageEvents(t: TestLibraryClient, messageId: string, change = 'created') {
  return t.events.message.filter(([e]) => e.message.id === messageId && e.change === change);
}

/**
 * Waits until the client's earlier frames were handled (a request's round trip), then the suites'
 * one fixed wait (see settle() in protocol-helpers.ts): only to check that nothing more arrives.
 */
export async function settleClient(t: TestLibraryClient, conversationId: string): Promise<void> {
  await t.client.history(conversationId, { limit: 1 });
  await quietPeriod();
}

/** The port a host listens on, to start another one in its place. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
