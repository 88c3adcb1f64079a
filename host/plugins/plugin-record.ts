import type { ErrorBody } from '../../sdk/errors/switchboard-error.js';
import type { PluginManifest } from '../../sdk/plugin/manifest.js';
import type { Permission } from '../../sdk/plugin/permissions.js';
import type { PluginDefinition } from '../../sdk/plugin/define-plugin.js';
import { GrantedScopes } from './grants.js';
import type {
  BeforeStoreMessage,
  CommandInvocation,
  CommandReply,
  HookDecision,
  PluginEventName,
  PluginEvents,
  PluginHttpRequest,
  PluginHttpResponse,
  Postback,
  ScheduledJob,
  ServiceCaller,
} from '../../sdk/plugin/plugin-context.js';

export type PluginStatus = 'running' | 'failed' | 'disabled';

/** The key a route's handler is registered and found under: "<METHOD> <path>", as declared. */
export function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}

/** The handlers a plugin registered while running; cleared when it stops. */
export interface PluginHandlers {
  events: Map<PluginEventName, Set<(event: PluginEvents[PluginEventName]) => void | Promise<void>>>;
  beforeStore: ((message: BeforeStoreMessage) => HookDecision | Promise<HookDecision>) | null;
  commands: Map<string, (invocation: CommandInvocation) => CommandReply | void | Promise<CommandReply | void>>;
  postback: ((postback: Postback) => CommandReply | void | Promise<CommandReply | void>) | null;
  /** By routeKey(), from contributes.routes. */
  routes: Map<string, (request: PluginHttpRequest) => PluginHttpResponse | Promise<PluginHttpResponse>>;
  /** By job name. */
  jobs: Map<string, (job: ScheduledJob) => void | Promise<void>>;
  /** By service name (without the plugin id). */
  services: Map<string, (input: unknown, caller: ServiceCaller) => unknown>;
}

/** Everything the host knows about one configured plugin. */
export interface PluginRecord {
  /** The manifest id, or the configured path when the manifest could not be read. */
  readonly id: string;
  readonly manifestFile: string;
  manifest: PluginManifest | null;
  entryFile: string | null;
  status: PluginStatus;
  error: ErrorBody | null;
  botUserId: string | null;
  granted: GrantedScopes;
  refused: readonly Permission[];
  settings: Readonly<Record<string, unknown>>;
  definition: PluginDefinition | null;
  handlers: PluginHandlers;
  /** Bumped at every start: handlers from an earlier run must not act after a restart. */
  generation: number;
  /**
   * The sandbox is starting it again after its app ended: until it is back, what it declares
   * (commands, routes) answers `unavailable`, to be retried, rather than not found.
   */
  restarting: boolean;
  /** The configuration itself is wrong (manifest, settings, dependencies): only a restart with a fixed config helps. */
  configError: boolean;
  /** Message types this plugin registered (and so may unregister). */
  registeredTypes: string[];
}

export function emptyHandlers(): PluginHandlers {
  return {
    events: new Map(),
    beforeStore: null,
    commands: new Map(),
    postback: null,
    routes: new Map(),
    jobs: new Map(),
    services: new Map(),
  };
}

/** A configured plugin before its manifest is read: failed until it loads and starts. */
export function newPluginRecord(id: string, manifestFile: string): PluginRecord {
  return {
    id,
    manifestFile,
    manifest: null,
    entryFile: null,
    status: 'failed',
    error: null,
    botUserId: null,
    granted: new GrantedScopes(),
    refused: [],
    settings: {},
    definition: null,
    handlers: emptyHandlers(),
    generation: 0,
    restarting: false,
    configError: false,
    registeredTypes: [],
  };
}
