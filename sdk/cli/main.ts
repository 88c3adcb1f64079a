/**
 * The `switchboard` command for authors of sandboxed mini-apps. Run it as
 * `node --import tsx sdk/cli/main.ts <command>`, `npm run sdk -- <command>`, or through the
 * package's bin (sdk/cli/switchboard.mjs). argv is parsed by node:util's parseArgs; the checks
 * it leaves to its caller in non-strict mode are here, so that every mistake gets its own message.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { buildCommand, newCommand, packCommand, processOutput, validateCommand, type CliOutput } from './commands.js';

export { buildCommand, newCommand, packCommand, validateCommand, type CliOutput } from './commands.js';
export { bundleApp } from './bundle-app.js';
export { CliError } from './cli-error.js';

export const USAGE = `switchboard: create, check, build and package sandboxed Switchboard mini-apps.

Usage:
  switchboard new <dir> [--id <id>] [--name <name>]
      Create an app project in <dir>, which must be empty or not exist yet: manifest.json,
      src/index.ts (a /hello command that counts greetings in storage), test/app.test.ts,
      package.json (scripts test, typecheck, validate, build, pack), tsconfig.json,
      vitest.config.ts (timeouts that leave the harness time to start a host), README.md.
      The id defaults to the folder's name and must match ^[a-z][a-z0-9-]{2,31}$; the name
      defaults to one made from the id.

  switchboard validate [dir]
      Check <dir>/manifest.json (dir defaults to .) as the host does (the manifest schema,
      semver ranges, an engine range that includes the plugin API version, no "database"
      permission, no dependency on itself, no command declared twice, message types prefixed
      with the id), and that the runtime is "sandbox" and the entry file exists. Lists every
      problem by JSON path.

  switchboard build [dir] [--out <file>]
      Validate, then bundle the app into one script: the manifest's entry if it is a .ts
      file, otherwise src/index.ts. Writes <dir>/dist/app.js unless --out says otherwise.

  switchboard pack [dir]
      Validate and build, then write <dir>/dist/<id>-<version>.sbapp.tgz holding one folder,
      <id>/, with manifest.json (its entry set to ./app.js), app.js and SHA256SUMS.

  switchboard help
      Show this text.

Apps import the SDK as '@switchboard/sdk'. The sandbox has no require, process, timers or
network, so a bundle holds all of its code: importing a Node built-in (node:fs,
child_process, ...) or a package that is not installed fails the build, naming the import
and the file that imports it.

Exit codes: 0 success; 1 invalid app, failed build or refused command; 2 wrong usage.`;

interface ParsedArgs {
  positional: string[];
  options: Record<string, string>;
  help: boolean;
}

/** Which options each command takes (all take a value). */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  new: ['id', 'name'],
  validate: [],
  build: ['out'],
  pack: [],
};

/** Runs one command line (without the node and script arguments); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliOutput = processOutput): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return 0;
  }
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) return usageError(io, `unknown command "${command}"`);
  let args: ParsedArgs;
  try {
    args = parseCommandLine(rest, allowed);
  } catch (err) {
    if (err instanceof CliError) return usageError(io, err.message);
    throw err;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const { positional, options } = args;
  if (positional.length > 1) return usageError(io, `${command} takes at most one folder; got ${positional.join(' ')}`);
  const dir = positional[0];
  switch (command) {
    case 'new':
      if (dir === undefined) return usageError(io, 'new needs the folder to create the app in: switchboard new <dir>');
      return newCommand(
        dir,
        {
          ...(options.id !== undefined ? { id: options.id } : {}),
          ...(options.name !== undefined ? { name: options.name } : {}),
        },
        io,
      );
    case 'validate':
      return validateCommand(dir, io);
    case 'build':
      return buildCommand(dir, options.out !== undefined ? { out: options.out } : {}, io);
    default:
      return packCommand(dir, io);
  }
}

/**
 * "--opt value" and "--opt=value"; "--" ends the options. parseArgs runs non-strict, so that its
 * tokens, not its English error messages, say what is wrong. Throws CliError (exit 2).
 */
function parseCommandLine(argv: readonly string[], allowed: readonly string[]): ParsedArgs {
  const options = Object.fromEntries(allowed.map((name) => [name, { type: 'string' as const }]));
  const { positionals, tokens } = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const parsed: ParsedArgs = { positional: positionals, options: {}, help: false };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'help') {
      parsed.help = true;
      continue;
    }
    if (!allowed.includes(token.name)) throw new CliError(`unknown option ${token.rawName}`, 2);
    // Non-strict parseArgs takes the next argument as the value even when it is another option.
    const { value } = token;
    if (value === undefined || (!token.inlineValue && value.startsWith('--')))
      throw new CliError(`--${token.name} needs a value`, 2);
    if (token.name in parsed.options) throw new CliError(`--${token.name} is given twice`, 2);
    parsed.options[token.name] = value;
  }
  return parsed;
}

function usageError(io: CliOutput, message: string): number {
  io.err(`error: ${message}`);
  io.err('');
  io.err(USAGE);
  return 2;
}

/** True when this file is the script node was started with (not when imported by tests or the bin). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    // A script path that does not resolve (node -e, a deleted file) is not this file.
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await run(process.argv.slice(2));
}
