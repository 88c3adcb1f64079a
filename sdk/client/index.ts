/**
 * The Switchboard client library: a typed client for apps in browsers and in Node, on the
 * documented protocol only (docs/protocol.md). Its guide is docs/client.md.
 */
export { SwitchboardClient } from './switchboard-client.js';
export type {
  ClientOptions,
  ClientState,
  ClientEvents,
  PendingSend,
  ConversationView,
  MessageChange,
  MessageEvent,
} from './client-types.js';
export { ClientError, type ClientErrorDetail } from './client-error.js';
export { memoryStore, localStorageStore, type ClientStore } from './client-store.js';
export { HttpApi, type AuthResult } from './http-api.js';
