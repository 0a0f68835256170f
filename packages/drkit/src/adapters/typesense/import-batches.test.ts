import { describe, expect, it } from 'vitest';
import { jsonlBatches, parseImportResults } from './import-batches.js';

describe('Typesense import batches', () => {
  it('GIVEN documents THEN batches bounded by bytes and count; an oversized document goes alone', async () => {
    const docs = [
      { id: '1', t: 'x'.repeat(40) },
      { id: '2', t: 'x'.repeat(40) },
      { id: '3', t: 'x'.repeat(500) },
      { id: '4', t: 'y' },
      { id: '5', t: 'y' },
      { id: '6', t: 'y' },
    ];
    const out = [];
    for await (const b of jsonlBatches(docs, 120, 2))
      out.push(b.lines.map((l) => JSON.parse(l).id));
    expect(out).toEqual([['1', '2'], ['3'], ['4', '5'], ['6']]);
  });

  it('GIVEN an answer with failed lines (text or parsed), or too few lines THEN the failures with their documents', () => {
    const sent = ['{"id":"a"}', '{"id":"b","n":"x"}', '{"id":"c"}'];
    const text =
      '{"success":true}\n{"success":false,"code":400,"error":"Field `n` must be an int32.","document":"{}"}\n';
    const r = parseImportResults(text, sent);
    expect(r.imported).toBe(1);
    expect(r.failed).toEqual([
      { id: 'b', code: 400, error: 'Field `n` must be an int32.', document: sent[1] },
      {
        id: 'c',
        code: undefined,
        error: 'no result line for document 3 of the batch',
        document: sent[2],
      },
    ]);
    expect(
      parseImportResults([{ success: true }, { success: true }, { success: true }], sent).imported,
    ).toBe(3);
  });
});
