// Checks every built package with publint and @arethetypeswrong/cli, the way npm users will consume it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let failures = 0;
for (const name of readdirSync('packages').sort()) {
  const directory = join('packages', name);
  if (!existsSync(join(directory, 'package.json'))) continue;
  if (!existsSync(join(directory, 'dist'))) {
    console.error(`${directory} has no dist/: run npm run build first.`);
    failures += 1;
    continue;
  }
  for (const [tool, args] of [
    ['publint', ['publint', '--strict', directory]],
    ['attw', ['attw', '--pack', directory, '--profile', 'node16']],
  ]) {
    console.log(`\n--- ${tool} ${directory}`);
    const run = spawnSync('npx', args, { stdio: 'inherit' });
    if (run.status !== 0) failures += 1;
  }
}
process.exit(failures > 0 ? 1 : 0);
