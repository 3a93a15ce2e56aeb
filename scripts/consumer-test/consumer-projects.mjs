// The fresh projects of the consumer test: what each one is, and how it is made, installed and type-checked.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The TypeScript and @types/node lines a user of ours is expected to have. */
const TYPESCRIPT_VERSION = '~6.0.0';
const TYPES_NODE_VERSION = '^24.0.0';

/** The compiler options of both TypeScript projects: what `nodenext` users with `strict` get. */
const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2023',
    lib: ['es2023'],
    types: ['node'],
    strict: true,
    // Our .d.ts files are part of what is tested: a declaration that names a missing type must fail here.
    skipLibCheck: false,
    noEmitOnError: true,
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
};

/**
 * The projects. `emitted` is how tsc's output must load core, so a TypeScript project really tests the module system
 * its name says.
 */
export const PROJECTS = [
  {
    name: 'ts-esm',
    type: 'module',
    typescript: true,
    files: { 'src/consumer.ts': 'consumer.ts' },
    main: 'dist/consumer.js',
    emitted: /from ['"]@novacron\/core['"]/,
  },
  {
    name: 'ts-cjs',
    typescript: true,
    files: { 'src/consumer.ts': 'consumer.ts' },
    main: 'dist/consumer.js',
    emitted: /require\(["']@novacron\/core["']\)/,
  },
  {
    name: 'js-cjs',
    files: { 'consumer.cjs': 'consumer.cjs', 'consumer-checks.cjs': 'consumer-checks.cjs' },
    main: 'consumer.cjs',
  },
  {
    name: 'js-esm',
    files: { 'consumer.mjs': 'consumer.mjs', 'consumer-checks.cjs': 'consumer-checks.cjs' },
    main: 'consumer.mjs',
  },
];

/**
 * The environment for child processes: the caller's, less what `npm run` exports about the repository (its prefix,
 * workspace and package), which would otherwise point npm in the fresh project back at the repository.
 */
export function childEnvironment() {
  const environment = { ...process.env };
  for (const key of Object.keys(environment)) {
    const npmSetting = key.toLowerCase();
    if (npmSetting.startsWith('npm_') && !/^npm_config_(cache|registry|userconfig)$/.test(npmSetting)) {
      delete environment[key];
    }
  }
  delete environment.INIT_CWD;
  return environment;
}

/** Runs a command; resolves with its exit status and output, never rejects. */
export function runCommand(command, args, { cwd, env = childEnvironment(), timeoutMs }) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (status, error) => {
      clearTimeout(timer);
      if (error) stderr += `${error.message}\n`;
      if (timedOut) stderr += `Killed after ${timeoutMs / 1000} s without finishing.\n`;
      resolvePromise({
        status: timedOut ? 1 : status,
        stdout,
        stderr,
        seconds: (performance.now() - started) / 1000,
      });
    };
    child.on('error', (error) => finish(1, error));
    child.on('close', (status) => finish(status ?? 1));
  });
}

/** A project's package.json: every packed package that is not platform-specific as a dependency. */
function projectManifest(project, tarballs) {
  const dependencies = {};
  for (const [name, { file, manifest }] of tarballs) {
    if (!manifest.os && !manifest.cpu) dependencies[name] = `file:${file}`;
  }
  return {
    name: `novacron-consumer-${project.name}`,
    version: '0.0.0',
    private: true,
    ...(project.type ? { type: project.type } : {}),
    dependencies,
    devDependencies: project.typescript
      ? { typescript: TYPESCRIPT_VERSION, '@types/node': TYPES_NODE_VERSION }
      : {},
  };
}

/**
 * The package.json of the folder holding the projects: an npm workspace of them, so one `npm install` serves all
 * four (a monorepo layout users have too; each project keeps its own package.json, `"type"` and tsconfig). Its
 * `overrides` point every `@novacron/*` name (dependency, peer or optional, at any depth) at its tarball, so none of
 * our packages is looked up in the registry.
 */
function workspaceManifest(tarballs) {
  const overrides = {};
  for (const [name, { file }] of tarballs) overrides[name] = `file:${file}`;
  return {
    name: 'novacron-consumers',
    version: '0.0.0',
    private: true,
    workspaces: PROJECTS.map((project) => project.name),
    overrides,
  };
}

/** `@novacron/*` names the tarballs depend on that have no tarball: npm would look for them in the registry. */
export function unpackedNovacronDependencies(tarballs) {
  const missing = new Set();
  for (const { manifest } of tarballs.values()) {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const name of Object.keys(manifest[field] ?? {})) {
        if (name.startsWith('@novacron/') && !tarballs.has(name)) missing.add(name);
      }
    }
  }
  return [...missing];
}

const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

/**
 * Makes every project under rootDir and installs the tarballs once for all of them (`npm install` at the workspace
 * root). Resolves with `{ ok, detail, seconds }`.
 */
export async function installProjects(rootDir, tarballs) {
  mkdirSync(rootDir, { recursive: true });
  writeJson(join(rootDir, 'package.json'), workspaceManifest(tarballs));
  for (const project of PROJECTS) {
    const projectDir = join(rootDir, project.name);
    mkdirSync(join(projectDir, 'src'), { recursive: true });
    writeJson(join(projectDir, 'package.json'), projectManifest(project, tarballs));
    if (project.typescript) writeJson(join(projectDir, 'tsconfig.json'), TSCONFIG);
    for (const [target, fixture] of Object.entries(project.files)) {
      copyFileSync(join(fixturesDir, fixture), join(projectDir, target));
    }
  }
  const install = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: rootDir,
    timeoutMs: 600_000,
  });
  return { ok: install.status === 0, detail: install.stdout + install.stderr, seconds: install.seconds };
}

/**
 * Type-checks and compiles a TypeScript project with one `tsc` run (`noEmitOnError`), then checks that tsc emitted
 * the module system the project stands for. Resolves with `{ ok, step, detail, seconds }`.
 */
export async function compileProject(project, projectDir) {
  // The project's own TypeScript, found as the project would find it.
  const tscPath = createRequire(join(projectDir, 'package.json')).resolve('typescript/bin/tsc');
  const tsc = await runCommand(process.execPath, [tscPath, '-p', '.'], {
    cwd: projectDir,
    timeoutMs: 300_000,
  });
  if (tsc.status !== 0) {
    return { ok: false, step: 'tsc (type check)', detail: tsc.stdout + tsc.stderr, seconds: tsc.seconds };
  }
  const emitted = readFileSync(join(projectDir, project.main), 'utf8');
  if (!project.emitted.test(emitted)) {
    return {
      ok: false,
      step: 'tsc (module system)',
      detail: `${project.main} does not load @novacron/core as ${project.emitted}: tsc emitted the other module system.`,
      seconds: tsc.seconds,
    };
  }
  return { ok: true, step: 'type-checked and compiled', detail: '', seconds: tsc.seconds };
}
