import type { AppLimits } from '../app/app-limits.js';
/** The plugin manifest, as validated by manifest-schema.json (kept in step by a type test). */
import type { PermissionRequests } from './permissions.js';

/** The plugin API version this SDK describes; manifests name a semver range of it in `engine`. */
export const PLUGIN_API_VERSION = '1.0.0';

export type PluginRuntime = 'trusted' | 'sandbox';

export interface CommandArgument {
  name: string;
  description?: string;
  required?: boolean;
  /** "rest" takes the rest of the line. */
  type?: 'string' | 'integer' | 'rest';
}

export interface CommandContribution {
  /** Typed in chat as /name. */
  name: string;
  description: string;
  arguments?: CommandArgument[];
}

/** At most one per hook point. */
export interface HookContribution {
  /** Runs before a message is stored. */
  point: 'message.beforeStore';
  /** Lower runs first; ties go by plugin id. */
  order?: number;
  timeoutMs?: number;
  /** open: on timeout or error the message goes on; closed: it is refused. */
  failMode: 'open' | 'closed';
}

export interface RouteContribution {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below /plugins/<id>, e.g. "/webhook" or "/items/:itemId". */
  path: string;
  /** user: a Switchboard bearer token; signature: HMAC-SHA256 with the plugin's webhook secret; none: public. */
  /** user: a Switchboard bearer token; signature: the plugin's signed webhooks; admin: the operator's admin token; none. */
  auth: 'user' | 'signature' | 'admin' | 'none';
}

export interface MessageTypeContribution {
  /** "<plugin id>.<name>": a plugin's types live under its id, and only its bot may send them. */
  type: string;
  /** JSON Schema of the body. */
  schema: Record<string, unknown>;
}

export interface ServiceContribution {
  /** Called as "<plugin id>.<name>". */
  name: string;
  description?: string;
}

export interface PluginContributions {
  commands?: CommandContribution[];
  hooks?: HookContribution[];
  events?: string[];
  routes?: RouteContribution[];
  messageTypes?: MessageTypeContribution[];
  /** JSON Schema of the plugin's settings, validated against the operator's config. */
  settings?: Record<string, unknown>;
  services?: ServiceContribution[];
}

export interface PluginManifest {
  id: string;
  name: string;
  version: string;
  description: string;
  author: string | { name: string; email?: string; url?: string };
  engine: string;
  runtime: PluginRuntime;
  /** Relative to the manifest file. */
  entry: string;
  permissions?: PermissionRequests;
  contributes?: PluginContributions;
  /** Other plugin ids with semver ranges of their versions. */
  dependencies?: Record<string, string>;
  /** Sandboxed apps: the limits asked for (see AppLimits); the operator caps each. */
  limits?: Partial<AppLimits>;
}
