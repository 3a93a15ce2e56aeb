#!/usr/bin/env node
// Packs @novacron/native-metrics the way it is published, napi-rs style: one tarball per platform package
// (packages/native-metrics/npm/<platform>/, holding its one binary) and the main package, whose package.json gets
// the platform packages as optionalDependencies at its exact version (what `napi pre-publish` adds at publish
// time). The source package.json does not list them, so `npm install` in the monorepo never asks the registry for
// packages that are not published yet.
//
//   node scripts/native/pack-native.mjs --out <directory> [--build] [--allow-missing]
//
// --build first runs scripts/native/build-targets.sh (every binary) and `npm run build:ts` (dist/). Without it,
// the binaries must already be in npm/<platform>/ and dist/ must be built. --allow-missing packs the platform
// packages whose binary is there and skips the others with a warning (for a machine without the cross toolchain;
// the main package still lists every platform, and npm skips an optional dependency it cannot fetch). Writes the tarballs and
// native-metrics-tarballs.json ({ main, platforms: { <platform>: <file> } }, absolute paths) into <directory>.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const packageDirectory = join(repository, 'packages/native-metrics');

function usage(message) {
  console.error(
    `pack-native: ${message}\nusage: node scripts/native/pack-native.mjs --out <directory> [--build] [--allow-missing]`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
if (outIndex === -1 || args[outIndex + 1] === undefined) usage('--out <directory> is required');
const out = resolve(args[outIndex + 1]);
const build = args.includes('--build');
const allowMissing = args.includes('--allow-missing');
mkdirSync(out, { recursive: true });

const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'));

/** `aarch64-unknown-linux-musl` -> `linux-arm64-musl`, the napi-rs platform names of the targets we build. */
function platformOf(target) {
  const [arch, , os, abi] = target.split('-');
  const cpu = { x86_64: 'x64', aarch64: 'arm64' }[arch];
  if (cpu === undefined || os !== 'linux')
    throw new Error(`pack-native: no platform name for target ${target}`);
  return `${os}-${cpu}-${abi}`;
}
const platforms = manifest.napi.targets.map(platformOf);

if (build) {
  execFileSync('bash', [join(repository, 'scripts/native/build-targets.sh')], { stdio: 'inherit' });
  execFileSync('npm', ['run', 'build:ts'], { cwd: packageDirectory, stdio: 'inherit' });
}

const binaryOf = (platform) => join('npm', platform, `native-metrics.${platform}.node`);
const missing = platforms.filter((platform) => !existsSync(join(packageDirectory, binaryOf(platform))));
if (missing.length > 0) {
  const message =
    `missing binaries in packages/native-metrics: ${missing.map(binaryOf).join(', ')}. ` +
    'Build them with bash scripts/native/build-targets.sh (after bash scripts/native/install-cross-toolchain.sh), ' +
    'or pass --build.';
  if (!allowMissing) {
    console.error(`pack-native: ${message}`);
    process.exit(1);
  }
  console.warn(`pack-native: warning: ${message} Packing the others (--allow-missing).`);
}
for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
  if (!existsSync(join(packageDirectory, file))) {
    console.error(
      `pack-native: packages/native-metrics/${file} is missing: run npm run build:ts -w packages/native-metrics.`,
    );
    process.exit(1);
  }
}

/** Runs `npm pack` in `directory`, checks the packed file list and returns the tarball's absolute path. */
function pack(directory, check) {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: directory,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [result] = JSON.parse(output);
  const files = result.files.map((entry) => entry.path);
  check(files, result.name);
  console.log(
    `packed ${result.name}@${result.version}: ${result.filename} (${files.length} files, ${result.size} bytes)`,
  );
  return join(out, result.filename);
}

const tarballs = { main: '', platforms: {} };
for (const platform of platforms.filter((name) => !missing.includes(name))) {
  const directory = join(packageDirectory, 'npm', platform);
  const child = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  if (child.version !== manifest.version) {
    console.error(
      `pack-native: ${child.name} is at ${child.version}, ${manifest.name} at ${manifest.version}; they must match.`,
    );
    process.exit(1);
  }
  tarballs.platforms[platform] = pack(directory, (files, name) => {
    const binaries = files.filter((file) => file.endsWith('.node'));
    if (binaries.length !== 1 || binaries[0] !== `native-metrics.${platform}.node`) {
      throw new Error(
        `pack-native: ${name} must hold exactly native-metrics.${platform}.node, holds ${binaries}`,
      );
    }
  });
}

// The main package, from a staging copy whose package.json lists the platform packages.
const staging = mkdtempSync(join(tmpdir(), 'native-metrics-pack-'));
try {
  for (const entry of manifest.files)
    cpSync(join(packageDirectory, entry), join(staging, entry), { recursive: true });
  const optionalDependencies = Object.fromEntries(
    platforms.map((platform) => [`${manifest.name}-${platform}`, manifest.version]),
  );
  writeFileSync(
    join(staging, 'package.json'),
    `${JSON.stringify({ ...manifest, optionalDependencies }, null, 2)}\n`,
  );
  tarballs.main = pack(staging, (files, name) => {
    const binaries = files.filter((file) => file.endsWith('.node'));
    if (binaries.length > 0) throw new Error(`pack-native: ${name} must hold no binary, holds ${binaries}`);
  });
} finally {
  rmSync(staging, { recursive: true, force: true });
}
writeFileSync(join(out, 'native-metrics-tarballs.json'), `${JSON.stringify(tarballs, null, 2)}\n`);
console.log(`wrote ${join(out, 'native-metrics-tarballs.json')}`);
