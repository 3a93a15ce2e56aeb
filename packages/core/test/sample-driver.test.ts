import { readFileSync } from 'node:fs';
import { testDriver } from '@novacron/core/testing';
import { describe, expect, it } from 'vitest';
import { createToyDriver } from '../../../docs/sample-driver/toy-driver.js';

// The sample driver of docs/writing-a-driver.md, run through the whole conformance suite (clean and faulted), so the
// guide cannot drift from what passes.
testDriver({
  name: 'toy, the sample driver of docs/writing-a-driver.md',
  factory: () => createToyDriver(),
  paginationVmCount: 500,
});

describe('docs/writing-a-driver.md', () => {
  it('shows the sample driver exactly as it is tested', () => {
    const guide = readFileSync(new URL('../../../docs/writing-a-driver.md', import.meta.url), 'utf8');
    const source = readFileSync(
      new URL('../../../docs/sample-driver/toy-driver.ts', import.meta.url),
      'utf8',
    );
    expect(guide).toContain(source.trim());
  });
});
