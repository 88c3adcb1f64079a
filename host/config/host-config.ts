import type { AppLimits } from '../../sdk/app/app-limits.js';

/** The validated, defaulted host configuration (see config-schema.json). */
export interface HostConfig {
  server: { host: string; port: number; shutdownGraceMs: number };
  database: { url: string; schema: string; poolSize: number };
  auth: { adminToken?: string; sessionTtlSeconds: number; serviceTokenTtlSeconds: number; openRegistration: boolean };
  dataDir: string;
  websocket: {
    maxPayloadBytes: number; authTimeoutMs: number; heartbeatIntervalMs: number; maxBufferedBytes: number;
    framesPerSecond: number; burst: number; resumeLimit: number; resumeHoldMs: number;
  };
  http: { bodyLimitBytes: number };
  messages: { maxTextLength: number; maxBodyBytes: number; maxBatch: number };
  conversations: { maxGroupMembers: number };
  plugins: { manifestsDir: string; enabled: PluginEntryConfig[] };
  sandbox: SandboxConfig;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

export interface SandboxConfig {
  workers: number;
  workerMemoryMb: number;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  maxLimits: AppLimits;
  restart: { baseDelayMs: number; maxDelayMs: number; maxFailures: number; windowMs: number };
}

export interface PluginEntryConfig {
  id?: string;
  path?: string;
  settings?: Record<string, unknown>;
  grants?: Record<string, false | Record<string, unknown>>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
