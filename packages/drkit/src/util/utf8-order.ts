/**
 * Compares two strings by their UTF-8 bytes: S3's key order (not JavaScript's UTF-16 code
 * units, which put U+E000–U+FFFF after astral characters).
 */
export function compareUtf8(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
