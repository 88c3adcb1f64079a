import type { ErrorSpec } from '../error-spec.js';

/** The host refused to start because of how it was configured. */
export const operatorErrors = {
  config_invalid: { kind: 'operator', status: 500, message: 'The host configuration is invalid.' },
  database_locked: { kind: 'operator', status: 500, message: 'Another host is using this SQLite database file.' },
  database_unreachable: { kind: 'operator', status: 500, message: 'The database cannot be reached.' },
  bus_requires_postgres: {
    kind: 'operator',
    status: 500,
    message: 'Several hosts (bus.url is set) need one shared PostgreSQL database; SQLite serves a single host.',
  },
  listen_failed: {
    kind: 'operator',
    status: 500,
    message: 'The host cannot listen on its configured address and port (in use, or not allowed).',
  },
  manifest_invalid: { kind: 'operator', status: 500, message: 'A plugin manifest does not match the manifest schema.' },
  plugin_engine_mismatch: {
    kind: 'operator',
    status: 500,
    message: "The plugin's engine range does not include this host's plugin API version.",
  },
  plugin_dependency_missing: {
    kind: 'operator',
    status: 500,
    message: 'A plugin depends on a plugin that is not enabled, or on another version of it.',
  },
  plugin_dependency_cycle: { kind: 'operator', status: 500, message: 'Plugins depend on each other in a cycle.' },
  plugin_settings_invalid: {
    kind: 'operator',
    status: 500,
    message: "The operator's settings for a plugin do not match its settings schema.",
  },
  plugin_start_failed: {
    kind: 'operator',
    status: 500,
    message: 'A plugin could not be loaded or threw while starting.',
  },
  runtime_unsupported: {
    kind: 'operator',
    status: 500,
    message:
      "This Node's release line is past its end of life (or never LTS), so sandboxed apps are refused: untrusted code needs a V8 that still gets security fixes.",
  },
  native_module_mismatch: {
    kind: 'operator',
    status: 500,
    message:
      'A native module was built for another Node version; run `npm run rebuild-native` with the Node that runs the host.',
  },
} as const satisfies Record<string, ErrorSpec>;
