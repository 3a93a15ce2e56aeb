// Runs every example in examples/ with tsx, one after another, and fails if any fails.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const examples = readdirSync('examples')
  .filter((name) => name.endsWith('.ts'))
  .sort();
const failed = [];
for (const example of examples) {
  console.log(`\n--- examples/${example}`);
  const run = spawnSync('npx', ['tsx', `examples/${example}`], { stdio: 'inherit', timeout: 300_000 });
  if (run.status !== 0) failed.push(example);
}
console.log(`\nExamples OK: ${examples.length - failed.length} of ${examples.length}.`);
if (failed.length > 0) {
  console.error(`Failed examples: ${failed.join(', ')}`);
  process.exit(1);
}
