/**
 * A failure the CLI reports as one message and an exit code. The SDK's SwitchboardError codes
 * are host-facing (HTTP statuses, close codes) and mean nothing to a shell, so the CLI keeps its
 * own small error type.
 */
export class CliError extends Error {
  /** 1: the app is invalid or its build failed; 2: the command line itself is wrong. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
