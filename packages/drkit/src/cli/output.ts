import { DrError } from '../engine/errors.js';
import { redact, redactString } from '../engine/redact.js';

/** Terminal output: human text on stderr/stdout, or one JSON document on stdout with --json. */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly quiet: boolean;

  constructor(opts: { json?: boolean; quiet?: boolean; color?: boolean } = {}) {
    this.json = opts.json ?? false;
    this.quiet = opts.quiet ?? false;
    // NO_COLOR (https://no-color.org): any non-empty value disables colour.
    this.color =
      (opts.color ?? true) && !process.env.NO_COLOR && process.stderr.isTTY === true && !this.json;
  }

  private paint(code: number, s: string): string {
    return this.color ? `\u001b[${code}m${s}\u001b[0m` : s;
  }
  green = (s: string) => this.paint(32, s);
  red = (s: string) => this.paint(31, s);
  yellow = (s: string) => this.paint(33, s);
  bold = (s: string) => this.paint(1, s);
  dim = (s: string) => this.paint(2, s);

  /** Progress and log lines: stderr, so stdout stays clean for --json. */
  progress(line: string): void {
    if (!this.quiet) process.stderr.write(`${redactString(line)}\n`);
  }

  /** The command's human result (suppressed in --json mode). */
  info(line: string): void {
    if (!this.json) process.stdout.write(`${redactString(line)}\n`);
  }

  /** The command's machine result (only in --json mode). */
  result(value: unknown): void {
    if (this.json) process.stdout.write(JSON.stringify(redact(value), null, 2) + '\n');
  }

  error(err: unknown): void {
    if (this.json) {
      const e =
        err instanceof DrError
          ? err.toJSON()
          : { name: 'Error', message: err instanceof Error ? err.message : String(err) };
      process.stdout.write(JSON.stringify(redact({ error: e }), null, 2) + '\n');
      return;
    }
    const msg = redactString(err instanceof Error ? err.message : String(err));
    process.stderr.write(`${this.red('error:')} ${msg}\n`);
    if (err instanceof DrError && err.hint)
      process.stderr.write(`${this.yellow('hint:')} ${redactString(err.hint)}\n`);
    if (!(err instanceof DrError) && err instanceof Error && process.env.DRKIT_DEBUG)
      process.stderr.write(`${err.stack}\n`);
  }
}
