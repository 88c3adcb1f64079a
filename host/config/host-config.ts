import type { AppLimits } from '../../sdk/app/app-limits.js';

/** The validated, defaulted host configuration (see config-schema.json). */
export interface HostConfig {
  server: { host: string; port: number; shutdownGraceMs: number };
  database: { url: string; schema: string; poolSize: number };
  /** Without url, a host runs alone on its in-process bus. */
  bus: { url?: string; prefix: string; presenceIntervalMs: number };
  /** Without token, /metrics is not served. */
  metrics: { token?: string };
  auth: { adminToken?: string; sessionTtlSeconds: number; serviceTokenTtlSeconds: number; openRegistration: boolean };
  dataDir: string;
  websocket: {
    maxPayloadBytes: number;
    authTimeoutMs: number;
    heartbeatIntervalMs: number;
    maxBufferedBytes: number;
    framesPerSecond: number;
    burst: number;
    resumeLimit: number;
    resumeHoldMs: number;
  };
  http: {
    bodyLimitBytes: number;
    trustProxy: boolean;
    rateLimits: { enabled: boolean; perToken: RequestWindow; perAddress: RequestWindow };
    loginLimits: {
      enabled: boolean;
      failuresBeforeBlock: number;
      blockSeconds: number;
      maxBlockSeconds: number;
      perAccount: FailureWindow;
      perAddress: FailureWindow;
    };
    /** Origins whose pages may call the API (CORS); empty: no CORS headers. */
    cors: { origins: string[] };
  };
  /** Without root, the app is served from web/dist in the host's directory. */
  web: { enabled: boolean; root?: string };
  messages: { maxTextLength: number; maxBodyBytes: number; maxBatch: number };
  conversations: { maxGroupMembers: number };
  plugins: {
    manifestsDir: string;
    enabled: PluginEntryConfig[];
    storageSweepMs: number;
    eventLeaseMs: number;
    jobLeaseMs: number;
  };
  sandbox: SandboxConfig;
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** auto: pretty when stdout is a terminal, else JSON lines. */
    format: 'auto' | 'json' | 'pretty';
  };
}

export interface RequestWindow {
  requests: number;
  windowSeconds: number;
}
export interface FailureWindow {
  failures: number;
  windowSeconds: number;
  blockSeconds: number;
}

export interface SandboxConfig {
  workers: number;
  /** shared: apps spread over the pool; per-app: a worker process for each app. */
  isolation: 'shared' | 'per-app';
  /** Worker failures charged to one app (within restart.windowMs) that move it to a worker of its own. */
  quarantineAfter: number;
  /** The workers' CPU priority below the host's (0 to 19). */
  workerNiceness: number;
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
