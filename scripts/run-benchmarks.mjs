// Runs every benchmark script under bench/ (bench/<area>/*.ts), or only the areas named on the command line:
// `npm run bench -- operations native-metrics`. Each prints its table and writes JSON to bench/results/.
// Benchmarks import the BUILT packages (bench/tsconfig.json has no source path aliases), as users get them: run
// `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const areas =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : readdirSync('bench').filter(
        (name) => name !== 'results' && statSync(join('bench', name)).isDirectory(),
      );
let failures = 0;
for (const area of areas.sort()) {
  const directory = join('bench', area);
  if (!existsSync(directory)) {
    console.error(`No benchmark area ${directory}.`);
    failures += 1;
    continue;
  }
  for (const script of readdirSync(directory)
    .filter((name) => /\.bench\.(ts|mjs)$/.test(name))
    .sort()) {
    console.log(`\n=== ${directory}/${script}`);
    const run = spawnSync('npx', ['tsx', '--tsconfig', 'bench/tsconfig.json', join(directory, script)], {
      stdio: 'inherit',
    });
    if (run.status !== 0) failures += 1;
  }
}
process.exit(failures > 0 ? 1 : 0);
