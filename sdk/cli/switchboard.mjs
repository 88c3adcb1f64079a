#!/usr/bin/env node
// The `switchboard` bin. The CLI and the SDK are TypeScript run as is (as the host is), so tsx
// is registered before they are imported; the import is dynamic so it happens after that.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2));
