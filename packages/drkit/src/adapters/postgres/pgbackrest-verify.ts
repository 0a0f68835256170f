/**
 * `pgbackrest verify` read the way it has to be: pgBackRest 2.45 exits 0 even when it finds a
 * corrupt WAL segment, and prints nothing by default. drkit runs it with `--output=text
 * --log-level-console=detail` and reads both the summary and the per-file `invalid result` lines.
 */

/** A repository file verify found invalid. */
export interface InvalidFile {
  /** Path inside the repository, e.g. `15-1/0000000100000000/000000010000000000000002-aa5e….lz4`. */
  readonly file: string;
  /** The WAL segment name when the file is a WAL segment (24 hex digits). */
  readonly segment: string | undefined;
  readonly reason: string;
}

/** What one `verify` run said about a stanza. */
export interface VerifyResult {
  /** The summary's `status:` (`ok`, `error`); `unknown` when no summary was printed. */
  readonly status: string;
  readonly walChecked: number;
  readonly walValid: number;
  readonly backups: ReadonlyArray<{
    readonly label: string;
    readonly status: string;
    readonly filesChecked: number;
    readonly filesValid: number;
  }>;
  readonly invalid: ReadonlyArray<InvalidFile>;
}

const SEGMENT = /(?:^|\/)([0-9A-F]{24})(?:-[0-9a-f]{40})?(?:\.[a-z0-9]+)?$/;

/** Parses the combined stdout and stderr of `verify --output=text --log-level-console=detail`. */
export function parseVerifyOutput(text: string): VerifyResult {
  const invalid: InvalidFile[] = [];
  for (const m of text.matchAll(/invalid result (\S+): ([^\n]*)/g)) {
    const file = m[1]!;
    invalid.push({ file, segment: SEGMENT.exec(file)?.[1], reason: m[2]!.trim() });
  }
  // The summary is printed twice with --log-level-console=detail (as a log line and as the
  // text output): the last one is the output.
  const summaries = [...text.matchAll(/^\s*status: (\S+)/gm)];
  const status = summaries.at(-1)?.[1] ?? 'unknown';
  let walChecked = 0;
  let walValid = 0;
  for (const m of text.matchAll(/total WAL checked: (\d+), total valid WAL: (\d+)/g)) {
    walChecked = Number(m[1]);
    walValid = Number(m[2]);
  }
  const byLabel = new Map<string, VerifyResult['backups'][number]>();
  for (const m of text.matchAll(
    /backup: (\S+), status: ([^,]+), total files checked: (\d+), total valid files: (\d+)/g,
  ))
    byLabel.set(m[1]!, {
      label: m[1]!,
      status: m[2]!.trim(),
      filesChecked: Number(m[3]),
      filesValid: Number(m[4]),
    });
  return { status, walChecked, walValid, backups: [...byLabel.values()], invalid };
}

/**
 * The system identifiers in `pgbackrest info --output=json`, as strings: they exceed 2^53, so
 * `JSON.parse` would round them (7714461211929733432 reads back as 7714461211929733000).
 */
export function systemIdsOf(infoJson: string): string[] {
  return [...infoJson.matchAll(/"system-id"\s*:\s*"?(\d+)"?/g)].map((m) => m[1]!);
}

/** WAL segment names compare in timeline/log/segment order as strings of equal length. */
export function segmentInRange(segment: string, start: string, stop: string): boolean {
  return segment >= start && segment <= stop;
}
