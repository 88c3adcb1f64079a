import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import schema from './config-schema.json' with { type: 'json' };
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { configErrorDetails } from './config-errors.js';
import type { DeepPartial, HostConfig } from './host-config.js';

export { schema as configSchema };

// strictRequired off: a plugin entry names "id" or "path" through oneOf, declared one level up.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true });
// `patternHint` is the words config errors give for a `pattern` (see config-errors.ts).
ajv.addVocabulary(['patternHint']);
const validate = ajv.compile(schema);

/** Raised when the configuration is wrong; the message names every bad field. */
export class ConfigError extends SwitchboardError {
  constructor(message: string, details: { path: string; message: string }[] = []) {
    super('config_invalid', message, { details });
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Finds the config file (--config PATH, else SWITCHBOARD_CONFIG, else none), applies the
 * environment overrides and validates the result. Throws ConfigError naming each bad field.
 */
export function loadConfig({
  argv = process.argv.slice(2),
  env = process.env,
  cwd = process.cwd(),
}: ConfigSources = {}): HostConfig {
  const path = configPathFrom(argv) ?? env.SWITCHBOARD_CONFIG;
  let raw: unknown = {};
  if (path) {
    const file = resolve(cwd, path);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    raw = pathsRelativeTo(dirname(file), raw);
  }
  return resolveConfig(applyEnvOverrides(raw, env));
}

/**
 * Relative paths written in a config file are relative to the file's own directory, wherever the
 * host is started from (`npm start` always runs in the project directory): dataDir, an SQLite
 * database.url, attachments.dir, plugins.manifestsDir and each plugin's path. Defaults and environment variables
 * stay relative to the working directory.
 */
function pathsRelativeTo(base: string, raw: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(raw)) return raw;
  const config = structuredClone(raw);
  const absolute = (v: unknown) => (typeof v === 'string' && v !== '' ? resolve(base, v) : v);
  if ('dataDir' in config) config.dataDir = absolute(config.dataDir);
  const database = config.database;
  if (isObject(database) && typeof database.url === 'string' && database.url.startsWith('sqlite:')) {
    const path = database.url.slice('sqlite:'.length);
    if (path !== '' && path !== ':memory:' && !path.startsWith('//')) database.url = `sqlite:${resolve(base, path)}`;
  }
  if (isObject(config.web) && 'root' in config.web) config.web.root = absolute(config.web.root);
  if (isObject(config.attachments) && 'dir' in config.attachments)
    config.attachments.dir = absolute(config.attachments.dir);
  const plugins = config.plugins;
  if (isObject(plugins)) {
    if ('manifestsDir' in plugins) plugins.manifestsDir = absolute(plugins.manifestsDir);
    if (Array.isArray(plugins.enabled)) {
      for (const entry of plugins.enabled) if (isObject(entry) && 'path' in entry) entry.path = absolute(entry.path);
    }
  }
  return config;
}

function configPathFrom(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config') {
      const next = argv[i + 1];
      if (!next) throw new ConfigError('--config needs a file path');
      return next;
    }
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/** Environment variables win over the file: PORT, DATABASE_URL, the bus's Redis, secrets. */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const config = structuredClone(raw) as Record<string, Record<string, unknown>>;
  const section = (name: string): Record<string, unknown> => {
    const existing = config[name];
    if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) return existing;
    return (config[name] = {});
  };
  const port = env.SWITCHBOARD_PORT ?? env.PORT;
  if (port !== undefined && port !== '') {
    section('server').port = /^\d+$/.test(port) ? Number(port) : port;
  }
  if (env.DATABASE_URL) section('database').url = env.DATABASE_URL;
  if (env.SWITCHBOARD_DB_SCHEMA) section('database').schema = env.SWITCHBOARD_DB_SCHEMA;
  if (env.SWITCHBOARD_BUS_URL) section('bus').url = env.SWITCHBOARD_BUS_URL;
  if (env.SWITCHBOARD_ADMIN_TOKEN) section('auth').adminToken = env.SWITCHBOARD_ADMIN_TOKEN;
  if (env.SWITCHBOARD_METRICS_TOKEN) section('metrics').token = env.SWITCHBOARD_METRICS_TOKEN;
  if (env.SWITCHBOARD_LOG_LEVEL) section('log').level = env.SWITCHBOARD_LOG_LEVEL;
  if (env.SWITCHBOARD_LOG_FORMAT) section('log').format = env.SWITCHBOARD_LOG_FORMAT;
  return config;
}

/** Validates a raw config object and fills in defaults. */
export function resolveConfig(raw: unknown): HostConfig {
  const copy = structuredClone(raw ?? {});
  if (!validate(copy)) {
    const details = configErrorDetails(validate.errors ?? [], schema);
    const summary = details.map((d) => `${d.path} ${d.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${summary}`, details);
  }
  return copy as HostConfig;
}

/** A full config from a partial one, for tests and tools. */
export function buildConfig(partial: DeepPartial<HostConfig> = {}): HostConfig {
  return resolveConfig(partial);
}
