import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backend, js, native, nativeUnavailableReason } from '../src/index.js';
import { loadNativeBinding } from '../src/native-loader.js';
import { nativePlatform, PREBUILT_PLATFORMS } from '../src/native-platform.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const platform = nativePlatform();
const platformPackage = `@novacron/native-metrics-${platform}`;

/**
 * A copy of the package's sources without any binary, Cargo.toml or node_modules: what a user gets
 * when the platform package was not installed.
 */
const bareCopy = mkdtempSync(join(tmpdir(), 'native-metrics-bare-'));
cpSync(join(packageDirectory, 'src'), join(bareCopy, 'src'), { recursive: true });
cpSync(join(packageDirectory, 'package.json'), join(bareCopy, 'package.json'));
afterAll(() => rmSync(bareCopy, { recursive: true, force: true }));

/** Runs `script` (ESM) in a fresh Node process in `directory` and returns what it printed. */
function runProbe(
  directory: string,
  environment: Record<string, string | undefined>,
  script: string,
): string {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NOVACRON_NATIVE: undefined,
    ...environment,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return execFileSync(process.execPath, ['--import', tsxLoader, '--input-type=module', '-e', script], {
    cwd: directory,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const importPackage = "const m = await import('./src/index.ts');";
const report =
  importPackage +
  'console.log(JSON.stringify({ backend: m.backend(), reason: m.nativeUnavailableReason() ?? null }))';

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

describe('backend selection', () => {
  it('prefers native when it loaded and always exposes js', () => {
    expect(js.name).toBe('js');
    expect(backend()).toBe(native() === undefined ? 'js' : 'native');
    if (native() === undefined) expect(nativeUnavailableReason()).toMatch(/native/);
    else expect(nativeUnavailableReason()).toBeUndefined();
  });

  it('forces the TypeScript fallback with NOVACRON_NATIVE=0 and says why', () => {
    const result = loadNativeBinding({ NOVACRON_NATIVE: '0' });
    expect(result.binding).toBeUndefined();
    expect(result.reason).toMatch(/NOVACRON_NATIVE=0/);
    expect(JSON.parse(runProbe(packageDirectory, { NOVACRON_NATIVE: '0' }, report))).toEqual({
      backend: 'js',
      reason: 'NOVACRON_NATIVE=0 selects the TypeScript fallback.',
    });
  });

  it('never reads CI: without a binary, CI=true still falls back and names the platform package', () => {
    const result = JSON.parse(runProbe(bareCopy, { CI: 'true' }, report));
    expect(result.backend).toBe('js');
    if (PREBUILT_PLATFORMS.includes(platform)) {
      expect(result.reason).toContain(`the optional package ${platformPackage} is not installed`);
      expect(result.reason).toContain('--omit=optional');
      expect(result.reason).toContain(`npm install ${platformPackage}`);
    }
    expect(result.reason).toMatch(/TypeScript backend \(the same results, slower\)/);
    expect(result.reason).not.toMatch(/\bCI\b|npm run build|cannot find native binding/);
  });

  it('under NOVACRON_NATIVE=required, imports without a binary and throws at first use, naming the fix', () => {
    const probe = `${importPackage}
      let error = null;
      try { m.backend(); } catch (caught) { error = { name: caught.name, code: caught.code, message: caught.message }; }
      let sketchError = null;
      try { new m.Sketch(); } catch (caught) { sketchError = caught.code; }
      console.log(JSON.stringify({ error, sketchError, reason: m.nativeUnavailableReason() }));`;
    const result = JSON.parse(runProbe(bareCopy, { NOVACRON_NATIVE: 'required', CI: 'true' }, probe));
    expect(result.error).toMatchObject({ name: 'NativeRequiredError', code: 'NATIVE_REQUIRED' });
    expect(result.error.message).toMatch(/^NOVACRON_NATIVE=required, but/);
    if (PREBUILT_PLATFORMS.includes(platform)) {
      expect(result.error.message).toContain(`npm install ${platformPackage}`);
      expect(result.error.message).toContain('--omit=optional');
    }
    expect(result.sketchError).toBe('NATIVE_REQUIRED');
    expect(result.reason).toBeTypeOf('string');
  });

  it('loads the binding lazily: importing the package loads no .node file, first use does', () => {
    // A stand-in binary next to the package; the probe counts every `.node` file Node is asked to load.
    writeFileSync(join(bareCopy, `native-metrics.${platform}.node`), '');
    const probe = `
      import { createRequire } from 'node:module';
      const loaded = [];
      createRequire(import.meta.url).extensions['.node'] = (module, file) => { loaded.push(file); module.exports = {}; };
      const imported = await import('./src/index.ts');
      const afterImport = loaded.length;
      const selected = imported.backend();
      console.log(JSON.stringify({ afterImport, afterUse: loaded.length, selected, reason: imported.nativeUnavailableReason() }));`;
    try {
      const result = JSON.parse(runProbe(bareCopy, {}, probe));
      expect(result.afterImport).toBe(0);
      expect(result.afterUse).toBe(1);
      expect(result.selected).toBe('js');
      expect(result.reason).toMatch(/did not load|does not export/);
    } finally {
      rmSync(join(bareCopy, `native-metrics.${platform}.node`), { force: true });
    }
  });
});

describe('loadNativeBinding', () => {
  const binding = { NativeSketch: class {}, NativeSeriesAggregator: class {}, nativePackVectors() {} };

  function requireFrom(modules: Record<string, unknown>): (id: string) => unknown {
    return (id) => {
      if (!(id in modules)) throw notFound(id);
      const value = modules[id];
      if (value instanceof Error) throw value;
      return value;
    };
  }

  it('loads the local build next to the package first, then the platform package', () => {
    const local = loadNativeBinding(
      {},
      {
        platform: 'linux-x64-gnu',
        require: requireFrom({ '../native-metrics.linux-x64-gnu.node': binding }),
      },
    );
    expect(local).toMatchObject({
      binding,
      reason: undefined,
      source: '../native-metrics.linux-x64-gnu.node',
    });
    const installed = loadNativeBinding(
      {},
      {
        platform: 'linux-arm64-musl',
        require: requireFrom({
          '@novacron/native-metrics-linux-arm64-musl/package.json': { version: packageVersion() },
          '@novacron/native-metrics-linux-arm64-musl': binding,
        }),
      },
    );
    expect(installed).toMatchObject({ binding, source: '@novacron/native-metrics-linux-arm64-musl' });
  });

  it('says which platform package is missing and how to install it', () => {
    const { binding: loaded, reason } = loadNativeBinding(
      { CI: 'true' },
      { platform: 'linux-arm64-gnu', require: requireFrom({}), sourceCheckout: false },
    );
    expect(loaded).toBeUndefined();
    expect(reason).toBe(
      'The native binary of @novacron/native-metrics for linux-arm64-gnu is missing: the optional package ' +
        '@novacron/native-metrics-linux-arm64-gnu is not installed. Using the TypeScript backend (the same ' +
        'results, slower). To use the native backend, run npm install without --omit=optional or ' +
        `--no-optional, or install it explicitly: npm install @novacron/native-metrics-linux-arm64-gnu@${packageVersion()}.`,
    );
  });

  it('reports an installed package that does not load, or has another version', () => {
    const broken = loadNativeBinding(
      {},
      {
        platform: 'linux-x64-gnu',
        require: requireFrom({
          '@novacron/native-metrics-linux-x64-gnu/package.json': { version: packageVersion() },
          '@novacron/native-metrics-linux-x64-gnu': new Error(
            '/lib/libc.so.6: version `GLIBC_2.99` not found',
          ),
        }),
      },
    );
    expect(broken.reason).toMatch(
      /@novacron\/native-metrics-linux-x64-gnu is installed but did not load \(\/lib\/libc\.so\.6: version `GLIBC_2\.99` not found\)/,
    );
    const stale = loadNativeBinding(
      {},
      {
        platform: 'linux-x64-gnu',
        require: requireFrom({
          '@novacron/native-metrics-linux-x64-gnu/package.json': { version: '0.0.1' },
          '@novacron/native-metrics-linux-x64-gnu': binding,
        }),
      },
    );
    expect(stale.binding).toBeUndefined();
    expect(stale.reason).toMatch(/0\.0\.1 is installed, but this @novacron\/native-metrics needs exactly/);
  });

  it('names the platforms with a prebuilt binary on any other platform', () => {
    const { reason } = loadNativeBinding({}, { platform: 'freebsd-x64', require: requireFrom({}) });
    expect(reason).toMatch(/no prebuilt native binary for freebsd-x64 \(prebuilt: linux-x64-gnu, /);
  });
});

describe('platform packages', () => {
  const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'));

  it('are the napi targets, each an npm/<platform>/ package of the same version with one binary', () => {
    const fromTargets = (manifest.napi.targets as string[]).map(platformOfRustTarget);
    expect(fromTargets).toEqual([...PREBUILT_PLATFORMS]);
    for (const name of PREBUILT_PLATFORMS) {
      const child = JSON.parse(readFileSync(join(packageDirectory, 'npm', name, 'package.json'), 'utf8'));
      const [os, cpu, abi] = name.split('-');
      expect(child).toMatchObject({
        name: `@novacron/native-metrics-${name}`,
        version: manifest.version,
        os: [os],
        cpu: [cpu],
        libc: [abi === 'musl' ? 'musl' : 'glibc'],
        main: `native-metrics.${name}.node`,
        files: [`native-metrics.${name}.node`],
        license: manifest.license,
        engines: manifest.engines,
      });
      expect(child.repository.directory).toBe(`packages/native-metrics/npm/${name}`);
    }
  });

  it('are not dependencies in the source package.json (they are added at pack time)', () => {
    expect(manifest.optionalDependencies).toBeUndefined();
  });
});

function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')).version;
}

function platformOfRustTarget(target: string): string {
  const [arch, , os, abi] = target.split('-');
  return `${os}-${arch === 'aarch64' ? 'arm64' : 'x64'}-${abi}`;
}
