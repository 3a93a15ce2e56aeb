// The consumer test: what users install is what we test. Run after `npm run build`:
//
//   node scripts/consumer-test/run.mjs            # every project on Node 22 and Node 24
//   node scripts/consumer-test/run.mjs --keep     # keep the temporary folder (its path is printed) to look inside
//   node scripts/consumer-test/run.mjs --node 24  # only the given major lines (comma-separated)
//
// It packs every publishable package with `npm pack`, installs the tarballs into fresh projects under the system's
// temporary folder (TypeScript ES module, TypeScript CommonJS, plain CommonJS, plain ES module: one npm workspace,
// installed once; npm `overrides` keep every @novacron/* package on its tarball), type-checks and compiles the
// TypeScript ones once, then runs each project's program on every Node line: a create, list and stop through the sim
// driver, the kvm and aws drivers loaded, a sketch through native-metrics, a VM on each of the Azure and GCE testing
// fakes (`@novacron/driver-azure/testing`, `@novacron/driver-gcp/testing`), a placement plan through the scheduler, a
// controller reconciling a key, store-etcd loaded. One line per (project, Node), then the summary line
// "consumer-test: N passed, N failed"; the exit code is 1 when anything failed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  compileProject,
  installProjects,
  PROJECTS,
  runCommand,
  unpackedNovacronDependencies,
} from './consumer-projects.mjs';
import { packPublishablePackages, repoRoot } from './pack-tarballs.mjs';

const { values: options } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, node: { type: 'string', default: '22,24' } },
});
const nodeLines = options.node.split(',').map((line) => line.trim());
const RUN_TIMEOUT_MS = 60_000;

const seconds = (value) => `${value.toFixed(1)} s`;
/** The first lines of a failure's output, indented under its result line. */
const indent = (text, lines = 12) => {
  const all = text.trimEnd().split('\n');
  const shown = all.slice(0, lines).map((line) => `      ${line}`);
  if (all.length > lines) shown.push(`      ... (${all.length - lines} more lines)`);
  return shown.join('\n');
};

/** The line of a failed program's output that says what went wrong. */
function firstError(output) {
  const lines = output.split('\n').map((line) => line.trim());
  return (
    lines.find((line) => /^consumer program failed/.test(line)) ??
    lines.find((line) => /^[A-Za-z]*Error\b|^Error \[/.test(line)) ??
    lines.findLast((line) => line !== '') ??
    'no output'
  );
}

function nodeBinary(major) {
  const bin = execFileSync('bash', [join(repoRoot, 'scripts/node-runtime.sh'), major], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const node = join(bin, 'node');
  const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  return { major, node, version };
}

const started = performance.now();
const workDir = mkdtempSync(join(tmpdir(), 'novacron-consumer-'));
const results = [];
const record = (project, node, ok, message, detail = '') => {
  results.push(ok);
  const line = `${ok ? 'PASS' : 'FAIL'}  ${project.padEnd(6)}  Node ${node.padEnd(8)}  ${message}`;
  console.log(detail ? `${line}\n${indent(detail)}` : line);
};

try {
  const nodes = nodeLines.map(nodeBinary);
  console.log(
    `consumer-test: Node ${nodes.map((node) => node.version).join(' and ')}; work folder ${workDir}`,
  );

  const tarballsDir = join(workDir, 'tarballs');
  mkdirSync(tarballsDir);
  const packStarted = performance.now();
  let tarballs;
  try {
    tarballs = packPublishablePackages(tarballsDir);
  } catch (error) {
    for (const project of PROJECTS) {
      for (const node of nodes)
        record(project.name, node.version, false, `npm pack failed: ${error.message}`);
    }
    throw error;
  }
  console.log(
    `packed ${[...tarballs.keys()].join(', ')} in ${seconds((performance.now() - packStarted) / 1000)}`,
  );
  for (const name of unpackedNovacronDependencies(tarballs)) {
    console.log(
      `warning: a tarball depends on ${name}, which was not packed; npm will look for it in the registry`,
    );
  }

  const projectsDir = join(workDir, 'projects');
  const install = await installProjects(projectsDir, tarballs);
  console.log(
    `npm install (one workspace of ${PROJECTS.length} projects): ${install.ok ? 'done' : 'failed'} (${seconds(install.seconds)})`,
  );
  const prepared = await Promise.all(
    PROJECTS.map(async (project) => {
      if (!install.ok) return { ok: false, step: 'npm install', detail: install.detail };
      if (!project.typescript) return { ok: true };
      const result = await compileProject(project, join(projectsDir, project.name));
      console.log(
        `${project.name}: ${result.ok ? result.step : `${result.step} failed`} (${seconds(result.seconds)})`,
      );
      return result;
    }),
  );

  for (const [index, project] of PROJECTS.entries()) {
    const preparation = prepared[index];
    for (const node of nodes) {
      if (!preparation.ok) {
        record(project.name, node.version, false, `${preparation.step} failed`, preparation.detail);
        continue;
      }
      const run = await runCommand(node.node, [project.main], {
        cwd: join(projectsDir, project.name),
        timeoutMs: RUN_TIMEOUT_MS,
      });
      const okLine = run.stdout.split('\n').find((line) => line.startsWith('ok: '));
      if (run.status === 0 && okLine) {
        record(project.name, node.version, true, `${okLine.slice(4)} (${seconds(run.seconds)})`);
      } else {
        const output = `${run.stdout}${run.stderr}`;
        record(project.name, node.version, false, firstError(output), output);
      }
    }
  }
} catch (error) {
  console.error(`consumer-test stopped: ${error instanceof Error ? error.message : error}`);
  if (results.length === 0) results.push(false);
} finally {
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  const keep = options.keep || failed > 0;
  if (keep) console.log(`(the projects are kept in ${workDir})`);
  else rmSync(workDir, { recursive: true, force: true });
  console.log(`took ${seconds((performance.now() - started) / 1000)}`);
  console.log(`consumer-test: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
