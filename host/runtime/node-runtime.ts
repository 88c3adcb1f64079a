/**
 * The Node this host runs on: what it is (logged at start), whether it may run untrusted code,
 * and what to do when a native module was built for another Node.
 */
export { runtimeInfo, type RuntimeInfo } from './runtime-info.js';
export { NODE_RELEASE_LINES, PROJECT_NODE_LINE, releaseLineStatus, type LineStatus } from './node-release-lines.js';
export { sandboxRuntimeError } from './sandbox-runtime-error.js';
export { nativeModuleError } from './native-module-error.js';
