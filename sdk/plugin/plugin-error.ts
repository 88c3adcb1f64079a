import type { PluginHttpResponse } from './plugin-context.js';

/** What one of a plugin's own error codes means: its HTTP status and default message. */
export interface PluginErrorSpec {
  readonly status: number;
  readonly message: string;
}

/** A plugin error as clients receive it, over HTTP and WebSocket alike. */
export interface PluginErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  /** HTTP answers only, added by the host: the id of the request in the host's log. */
  readonly requestId?: string;
}

/**
 * A brand that makes `instanceof PluginError` work across copies of the SDK: a sandboxed app
 * bundles its own copy, and the sandbox runtime that reads the app's errors (and builds the ones
 * it hands the app) has another.
 */
const PLUGIN_ERROR = Symbol.for('switchboard.PluginError');

/**
 * The base of a plugin's own errors (the host's catalog is for the host's): a stable code, its
 * HTTP status, and the body a route answers with, shaped like the host's errors:
 * `{ "error": { "code", "message", "details"? } }`. A plugin subclasses it with its catalog.
 */
export class PluginError<Code extends string = string> extends Error {
  /** Any SDK copy's PluginError; a subclass (PaymentError …) keeps the ordinary prototype test. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (this !== PluginError || typeof value !== 'object' || value === null) return false;
    return (value as Record<symbol, unknown>)[PLUGIN_ERROR] === true;
  }

  readonly status: number;

  constructor(
    readonly code: Code,
    spec: PluginErrorSpec,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? spec.message);
    this.name = 'PluginError';
    Object.defineProperty(this, PLUGIN_ERROR, { value: true });
    this.status = spec.status;
  }

  toBody(): { error: PluginErrorBody } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }

  toResponse(): PluginHttpResponse {
    return { status: this.status, body: this.toBody() };
  }
}
