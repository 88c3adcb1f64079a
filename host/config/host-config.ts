import type { AppLimits } from '../../sdk/app/app-limits.js';

/** The validated, defaulted host configuration (see config-schema.json). */
export interface HostConfig {
  server: { host: string; port: number; shutdownGraceMs: number; keepAliveTimeoutMs: number };
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
  messages: { maxTextLength: number; maxBodyBytes: number; maxBatch: number; batchesInFlight: number };
  conversations: { maxGroupMembers: number };
  /** Part B: full-text search (lengths in UTF-16 units). */
  search: { maxQueryLength: number; maxWords: number; snippetLength: number };
  /** Who may mention everyone (@all) in a group, unless the group says otherwise. */
  mentions: { allowAllForMembers: boolean };
  attachments: AttachmentsConfig;
  plugins: {
    manifestsDir: string;
    enabled: PluginEntryConfig[];
    storageSweepMs: number;
    /** Audit entries kept per plugin; older ones are deleted as new ones come (AuditLog). */
    auditEntriesPerPlugin: number;
    eventLeaseMs: number;
    jobLeaseMs: number;
  };
  sandbox: SandboxConfig;
  push: PushConfig;
  linkPreviews: LinkPreviewsConfig;
  /** Reports of abuse to the operator (docs/operators.md, "Reviewing reports"). */
  reports: { submitLimit: RequestWindow };
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** auto: pretty when stdout is a terminal, else JSON lines. */
    format: 'auto' | 'json' | 'pretty';
  };
}

/** Part A: uploads, their storage and access (see config-schema.json for the meaning of each). */
export interface AttachmentsConfig {
  /** SQLite hosts: where files are kept; default `<dataDir>/attachments`. */
  dir?: string;
  maxBytes: number;
  maxPerMessage: number;
  quotaBytes: number;
  /** Types (from the content) that may be uploaded, `type/*` allowed; empty: any. */
  allowedTypes: string[];
  urlTtlSeconds: number;
  /** Signs file URLs; without it a random key is kept in the database (shared by every host). */
  urlKey?: string;
  unsentTtlSeconds: number;
  sweepIntervalSeconds: number;
  uploadLimit: RequestWindow;
  /** Part A2: images with more pixels are refused undecoded. */
  maxImagePixels: number;
  /** Blobs held in memory once read or stored (cached-blob-store.ts). */
  cache: BlobCacheLimits;
}

/** How much of the blob store a host keeps in memory (see config-schema.json). */
export interface BlobCacheLimits {
  /** Bytes held at most, all blobs together; 0 turns the cache off. */
  maxBytes: number;
  /** Larger blobs (a video, say) are never held: they would push out many small ones. */
  maxFileBytes: number;
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

/** Web Push (docs/operators.md, "Push notifications"). */
export interface PushConfig {
  enabled: boolean;
  /** Without the key pair, the host makes one and keeps it in the database. */
  vapid: { publicKey?: string; privateKey?: string; subject?: string };
  maxSubscriptionsPerUser: number;
  queueSize: number;
  concurrency: number;
  ttlSeconds: number;
  timeoutMs: number;
  /** Tests and development: endpoints on the loopback, over http: too. */
  allowLocalEndpoints: boolean;
}

/** Link previews (docs/operators.md, "Link previews"). */
export interface LinkPreviewsConfig {
  enabled: boolean;
  /** Hosts ("name" or "name:port") admitted although they are on non-public addresses. */
  allowHosts: string[];
  /** Pages fetched per user; answers from the cache are not counted. */
  fetchLimit: RequestWindow;
}

export interface PluginEntryConfig {
  id?: string;
  path?: string;
  settings?: Record<string, unknown>;
  grants?: Record<string, false | Record<string, unknown>>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
