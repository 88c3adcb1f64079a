/**
 * The probe plugins the capability suites enable: ones whose permissions were not requested, refused,
 * narrowed or meddled with by the operator, and one ("full") with everything requested and granted,
 * recording the events it hears to `events`.
 */
import { ALL_PERMISSIONS, EVENT_NAMES, enable, probeManifest, recordFile } from './plugin-helpers.js';

const hooks = [{ failMode: 'open' as const }];
export const everythingButCommands = Object.fromEntries(
  Object.keys(ALL_PERMISSIONS)
    .filter((p) => p !== 'commands')
    .map((p) => [p, false as const]),
);
const tryAtStart = { subscribe: ['message.created'] as any, hook: { action: 'allow' as const } };
export const events = recordFile('events');

export const enabled = [
  // Requests only `commands`, so it can be probed; tries events and a hook at start.
  enable(probeManifest('bare', { hooks }), { settings: tryAtStart }),
  // Requests everything; the operator refuses everything but `commands`.
  enable(probeManifest('refused', { hooks, permissions: ALL_PERMISSIONS }), {
    settings: tryAtStart,
    grants: everythingButCommands,
  }),
  // Cannot answer commands: one never asked, the other was refused.
  enable(probeManifest('silent', { permissions: {} })),
  enable(probeManifest('muted', { permissions: ALL_PERMISSIONS }), { grants: { commands: false } }),
  // Asks for two events; the operator narrows the grant to one.
  enable(
    probeManifest('narrowed', {
      permissions: { commands: {}, events: { events: ['message.created', 'message.updated'] } },
    }),
    { grants: { events: { events: ['message.created'] } } },
  ),
  // Asks for `commands` only; the operator's grants of permissions it did not ask for grant nothing.
  enable(probeManifest('meddler'), { grants: { 'users.read': {}, storage: { quotaBytes: 100 } } }),
  // Everything requested and granted.
  enable(probeManifest('full', { hooks, permissions: ALL_PERMISSIONS }), {
    settings: { subscribe: EVENT_NAMES, recordFile: events },
  }),
];
