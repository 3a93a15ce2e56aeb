// Runs vitest (the whole suite, or the projects named by `--project` arguments, passed through) and ends with one
// plain summary line, "vitest on Node X: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const report = join(mkdtempSync(join(tmpdir(), 'novacron-tests-')), 'vitest.json');
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let summary;
try {
  summary = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.error('vitest wrote no report: the run failed before any test ran.');
  process.exit(run.status || 1);
}
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`(the run above was on Node ${process.versions.node})`);
console.log(`vitest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`);
if (summary.numTotalTests === 0) {
  console.error('No test ran.');
  process.exit(1);
}
process.exit(run.status ?? 1);
