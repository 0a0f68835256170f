import { describe, expect, it } from 'vitest';
import { rowsCompared } from './suite.js';

describe('rowsCompared', () => {
  it('GIVEN equal tables THEN each row is counted once, not once per side', () => {
    expect(
      rowsCompared([
        { expectedRows: 20_000, actualRows: 20_000 },
        { expectedRows: 8_094, actualRows: 8_094 },
      ]),
    ).toBe(28_094);
  });
  it('counts a missing or an extra row once', () => {
    expect(rowsCompared([{ expectedRows: 10, actualRows: 9 }])).toBe(10);
    expect(rowsCompared([{ expectedRows: 10, actualRows: 11 }])).toBe(11);
  });
});
