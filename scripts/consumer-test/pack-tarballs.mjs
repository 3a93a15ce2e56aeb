// Packs what npm would publish: every package under packages/* that is not private, with `npm pack`, into one folder.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/consumer-test/pack-tarballs.mjs). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The native-metrics pack script, where it exists: `--out <folder>` packs `@novacron/native-metrics` (with its
 * per-platform packages as optional dependencies) and one tarball per platform package
 * (`packages/native-metrics/npm/<platform>/`) into that folder.
 */
const NATIVE_PACK_SCRIPT = join(repoRoot, 'scripts/native/pack-native.mjs');

/** Runs a command to completion and throws with its output when it fails. */
function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`\`${command} ${args.join(' ')}\` failed in ${options.cwd ?? process.cwd()}:\n${output}`);
  }
  return result.stdout;
}

/** Packs one package folder with `npm pack` into outDir. */
function packPackage(packageDir, outDir) {
  run('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: packageDir });
}

/**
 * Packs `@novacron/native-metrics` (and, through the native pack script when it exists, each per-platform package
 * it lists as an optional dependency) into outDir.
 */
export function packNativeMetrics(outDir) {
  if (existsSync(NATIVE_PACK_SCRIPT)) {
    run(process.execPath, [NATIVE_PACK_SCRIPT, '--out', outDir], { cwd: repoRoot });
  } else {
    packPackage(join(repoRoot, 'packages/native-metrics'), outDir);
  }
}

/** The package.json inside a tarball, read without unpacking it. */
export function readTarballManifest(file) {
  return JSON.parse(run('tar', ['-xzOf', file, 'package/package.json'], { cwd: dirname(file) }));
}

/**
 * Packs every publishable package into outDir and returns the tarballs found there, by package name.
 * Refuses to pack a package that has not been built (no `dist/`): run `npm run build` first.
 *
 * @returns {Map<string, { file: string, manifest: object }>}
 */
export function packPublishablePackages(outDir) {
  const packagesDir = join(repoRoot, 'packages');
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    const packageDir = join(packagesDir, entry.name);
    if (!entry.isDirectory() || !existsSync(join(packageDir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    if (!existsSync(join(packageDir, 'dist'))) {
      throw new Error(
        `packages/${entry.name} has no dist/ folder: run \`npm run build\` before the consumer test.`,
      );
    }
    if (manifest.name === '@novacron/native-metrics') packNativeMetrics(outDir);
    else packPackage(packageDir, outDir);
  }
  const tarballs = new Map();
  for (const name of readdirSync(outDir).filter((file) => file.endsWith('.tgz'))) {
    const file = join(outDir, name);
    const manifest = readTarballManifest(file);
    tarballs.set(manifest.name, { file, manifest });
  }
  return tarballs;
}
