/**
 * A benchmark's bare reference server in a child process, as a host runs in one (the media-search
 * file server, the ws relay of the messaging and cluster benchmarks): `script` (a .ts file, run
 * through tsx) prints `{"port":N}` on stdout once listening. The child is SIGKILLed by stop(), and
 * when this process exits, so a failed run leaves no server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ReferenceChild {
  readonly child: ChildProcess;
  readonly port: number;
  /** Throws if the child has exited: a reference figure from a dead server would be meaningless. */
  readonly assertAlive: () => void;
  readonly stop: () => void;
}

export async function startReferenceChild(script: string, args: string[], what: string): Promise<ReferenceChild> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = () => {
    if (!exited()) child.kill('SIGKILL');
    process.removeListener('exit', stop);
  };
  process.once('exit', stop);
  const assertAlive = () => {
    if (exited()) throw new Error(`${what} exited (code ${child.exitCode}, signal ${child.signalCode})`);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code, signal) => reject(new Error(`${what} exited (code ${code}, signal ${signal})`)));
    });
    return { child, port, assertAlive, stop };
  } catch (err) {
    stop();
    throw err;
  }
}
