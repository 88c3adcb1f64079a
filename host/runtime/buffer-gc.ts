import { setFlagsFromString } from 'node:v8';

/**
 * V8's flag that counts Buffers' memory within the heap's own limits. Without it, Node 24 (V8 13.6)
 * frees short-lived Buffers by full mark-compact collections instead of young-generation
 * scavenges: V8 raised the young ArrayBuffer bytes that start a scavenge (to 128 MB on Node's
 * builds) above the fixed 64 MB of external growth that starts a full collection
 * (nodejs/node#61967). An upload allocates megabytes of them (socket reads, the joined body, the
 * driver's copies), so the host ran a full collection every few uploads: V8's helper threads took
 * 38 % of a core during the upload benchmark.
 *
 * Node 24 and 26 both know the flag; it is set, not passed on the command line, so that every way
 * of starting the host (`npm start`, a service manager, the tests' child hosts) gets it from this
 * one place. It changes how the heap's limits are computed, so it is set before the host allocates
 * anything: this module is the entry point's first import.
 */
export const BUFFER_GC_FLAG = '--external-memory-accounted-in-global-limit';

setFlagsFromString(BUFFER_GC_FLAG);
