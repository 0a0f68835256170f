import { describe, expect, it } from 'vitest';
import { parseVerifyOutput, segmentInRange, systemIdsOf } from './pgbackrest-verify.js';

// Captured from pgBackRest 2.45 on this machine after overwriting 7 bytes of one archived segment.
const CORRUPT = `2026-12-01 22:10:15.872 P00   INFO: verify command begin 2.45: --config=/tmp/x/pgbackrest.conf --log-level-console=detail --output=text --stanza=src
2026-12-01 22:10:30.986 P02   INFO: invalid result 15-1/0000000100000000/000000010000000000000002-aa5e01947076e499cf4b8633e70748ff013d2a18.lz4: [29] raised from local-2 protocol: lz4 error: [-16] ERROR_decompressionFailed
                                    [FormatError] on retry after 0ms
2026-12-01 22:10:30.987 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000001, wal stop: 000000010000000000000003
2026-12-01 22:10:30.987 P00   INFO: stanza: src
                                    status: error
                                      archiveId: 15-1, total WAL checked: 3, total valid WAL: 2
                                        other: 1
stanza: src
status: error
  archiveId: 15-1, total WAL checked: 3, total valid WAL: 2
    other: 1
2026-12-01 22:10:30.987 P00   INFO: verify command end: completed successfully (15141ms)
`;
const OK = `stanza: src
status: ok
  archiveId: 15-1, total WAL checked: 3, total valid WAL: 3
    missing: 0, checksum invalid: 0, size invalid: 0, other: 0
  backup: 20261201-220932F, status: valid, total files checked: 966, total valid files: 966
    missing: 0, checksum invalid: 0, size invalid: 0, other: 0
`;

describe('pgbackrest verify output', () => {
  it('finds the corrupt segment behind an exit code of 0', () => {
    const r = parseVerifyOutput(CORRUPT);
    expect(r.status).toBe('error');
    expect(r.walChecked).toBe(3);
    expect(r.walValid).toBe(2);
    expect(r.invalid).toEqual([
      {
        file: '15-1/0000000100000000/000000010000000000000002-aa5e01947076e499cf4b8633e70748ff013d2a18.lz4',
        segment: '000000010000000000000002',
        reason: '[29] raised from local-2 protocol: lz4 error: [-16] ERROR_decompressionFailed',
      },
    ]);
  });

  it('reads a healthy summary with its backups', () => {
    expect(parseVerifyOutput(OK)).toEqual({
      status: 'ok',
      walChecked: 3,
      walValid: 3,
      backups: [{ label: '20261201-220932F', status: 'valid', filesChecked: 966, filesValid: 966 }],
      invalid: [],
    });
    expect(parseVerifyOutput('').status).toBe('unknown');
  });

  it('keeps system ids beyond 2^53 exact, and orders segments', () => {
    const info = '[{"db":[{"id":1,"repo-key":1,"system-id":7714461211929733432,"version":"15"}]}]';
    expect(systemIdsOf(info)).toEqual(['7714461211929733432']);
    expect(String(JSON.parse(info)[0].db[0]['system-id'])).not.toBe('7714461211929733432');
    expect(
      segmentInRange(
        '000000010000000000000002',
        '000000010000000000000001',
        '000000010000000000000003',
      ),
    ).toBe(true);
    expect(
      segmentInRange(
        '000000010000000100000000',
        '000000010000000000000001',
        '0000000100000000000000FF',
      ),
    ).toBe(false);
  });
});
