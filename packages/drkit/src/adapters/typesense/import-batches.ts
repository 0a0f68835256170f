import type { FailedDocument, SearchDocument } from '../../ports/search-index.js';

/** One request body: JSONL lines and their byte size. */
export interface ImportBatch {
  readonly lines: string[];
  readonly bytes: number;
}

/**
 * Groups documents into JSONL batches bounded by bytes and by count, streaming: at most one
 * batch is held at a time. A document larger than `maxBytes` goes alone (the server judges it).
 */
export async function* jsonlBatches(
  docs: AsyncIterable<SearchDocument> | Iterable<SearchDocument>,
  maxBytes: number,
  maxDocs: number,
): AsyncGenerator<ImportBatch> {
  let lines: string[] = [];
  let bytes = 0;
  for await (const d of docs) {
    const line = JSON.stringify(d);
    const n = Buffer.byteLength(line) + 1;
    if (lines.length > 0 && (bytes + n > maxBytes || lines.length >= maxDocs)) {
      yield { lines, bytes };
      lines = [];
      bytes = 0;
    }
    lines.push(line);
    bytes += n;
  }
  if (lines.length > 0) yield { lines, bytes };
}

/**
 * Reads Typesense's import answer: one JSON line per document sent, in order, `{"success":true}`
 * or `{"success":false,"code":…,"error":…}` (the HTTP status is 200 either way). A missing or
 * unreadable line counts the document as failed: nothing is assumed imported without a yes.
 */
export function parseImportResults(
  answer: string | readonly unknown[],
  sent: readonly string[],
): { imported: number; failed: FailedDocument[] } {
  const results = typeof answer === 'string' ? answer.split('\n').filter((l) => l.trim()) : answer;
  const failed: FailedDocument[] = [];
  let imported = 0;
  sent.forEach((line, i) => {
    const raw = results[i];
    let r: { success?: boolean; code?: number; error?: string } | undefined;
    try {
      r = typeof raw === 'string' ? JSON.parse(raw) : (raw as typeof r);
    } catch {
      r = undefined;
    }
    if (r?.success === true) {
      imported++;
      return;
    }
    failed.push({
      id: idOf(line),
      code: r?.code,
      error: r?.error ?? `no result line for document ${i + 1} of the batch`,
      document: line,
    });
  });
  return { imported, failed };
}

function idOf(line: string): string | undefined {
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return id === undefined ? undefined : String(id);
  } catch {
    return undefined;
  }
}
