import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as NativeModule from '../native.d.cts';
import { nativePlatform, PREBUILT_PLATFORMS } from './native-platform.js';

/** The raw Node-API binding (`native-metrics.<platform>.node`); its types are napi-generated in `native.d.cts`. */
export type NativeBinding = typeof NativeModule;

/** Outcome of loading the native binding. */
export interface NativeLoadResult {
  /** The binding, when it loaded. */
  binding: NativeBinding | undefined;
  /** What it was loaded from (a path relative to the package root, or a package name), when it loaded. */
  source: string | undefined;
  /** Why the TypeScript fallback is used, when it is: what went wrong and how to fix it. */
  reason: string | undefined;
  /** What went wrong and how to fix it, without the fallback clause; for the `NOVACRON_NATIVE=required` error. */
  problem: string | undefined;
  /** The platform the binary was looked for, e.g. `linux-x64-gnu`. */
  platform: string;
}

/** Options of {@link loadNativeBinding}; they exist for the tests. */
export interface NativeLoadOptions {
  /** The platform to load for. Default: {@link nativePlatform}. */
  platform?: string | undefined;
  /** Loads a module by an id relative to the package root's `dist/` or `src/`. Default: Node's `require`. */
  require?: ((id: string) => unknown) | undefined;
  /** Whether the package is a source checkout (has its Cargo.toml). Default: looked up. */
  sourceCheckout?: boolean | undefined;
}

const PACKAGE = '@novacron/native-metrics';
const FALLBACK = 'Using the TypeScript backend (the same results, slower).';

/**
 * Loads the native binding: first `native-metrics.<platform>.node` next to the package (a build in
 * a source checkout), then the optional package `@novacron/native-metrics-<platform>` of the same
 * version. Never throws; `NOVACRON_NATIVE=0` skips it. Reads no other environment variable.
 *
 * @example
 * const { binding, reason } = loadNativeBinding(process.env);
 */
export function loadNativeBinding(
  environment: Record<string, string | undefined>,
  options: NativeLoadOptions = {},
): NativeLoadResult {
  const platform = options.platform ?? nativePlatform();
  if (environment.NOVACRON_NATIVE === '0') {
    const reason = 'NOVACRON_NATIVE=0 selects the TypeScript fallback.';
    return { binding: undefined, source: undefined, reason, problem: reason, platform };
  }
  const ownRequire = createRequire(import.meta.url);
  const load = options.require ?? ownRequire;
  const version = (ownRequire('../package.json') as { version: string }).version;

  const localFile = `../native-metrics.${platform}.node`;
  const local = loadBinding(load, localFile);
  if (local.binding !== undefined) return { ...loaded(local.binding, localFile), platform };
  // A local build that exists but does not load is worth a word; a missing one is the normal case.
  const localNote = local.missing
    ? ''
    : ` The local build ${localFile.slice(3)} did not load (${local.error}).`;

  const packageName = `${PACKAGE}-${platform}`;
  const prebuilt = PREBUILT_PLATFORMS.includes(platform);
  let problem: string;
  if (!prebuilt) {
    problem = `${PACKAGE} has no prebuilt native binary for ${platform} (prebuilt: ${PREBUILT_PLATFORMS.join(', ')}).`;
  } else {
    const manifest = tryRequire(load, `${packageName}/package.json`);
    const installedVersion = (manifest.value as { version?: unknown } | undefined)?.version;
    if (manifest.missing) {
      problem = `The native binary of ${PACKAGE} for ${platform} is missing: the optional package ${packageName} is not installed.`;
    } else if (installedVersion !== version) {
      problem = `${packageName} ${String(installedVersion)} is installed, but this ${PACKAGE} needs exactly ${version}.`;
    } else {
      const installed = loadBinding(load, packageName);
      if (installed.binding !== undefined) return { ...loaded(installed.binding, packageName), platform };
      problem = `${packageName} is installed but did not load (${installed.error}).`;
    }
  }
  const fix = prebuilt
    ? ` To use the native backend, run npm install without --omit=optional or --no-optional, or install it explicitly: npm install ${packageName}@${version}.`
    : '';
  const build =
    (options.sourceCheckout ?? existsSync(fileURLToPath(new URL('../Cargo.toml', import.meta.url))))
      ? ' In this source checkout, npm run build -w packages/native-metrics builds it (needs cargo).'
      : '';
  return {
    binding: undefined,
    source: undefined,
    reason: `${problem}${localNote} ${FALLBACK}${fix}${build}`,
    problem: `${problem}${localNote}${fix}${build}`,
    platform,
  };
}

function loaded(binding: NativeBinding, source: string): Omit<NativeLoadResult, 'platform'> {
  return { binding, source, reason: undefined, problem: undefined };
}

interface Required {
  value: unknown;
  /** The module itself was not found (as opposed to found and failed to load). */
  missing: boolean;
  /** The first line of the error, when it failed. */
  error: string | undefined;
}

function tryRequire(load: (id: string) => unknown, id: string): Required {
  try {
    return { value: load(id), missing: false, error: undefined };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing =
      (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
      message.includes(id.replace(/^\.\.\//, ''));
    return { value: undefined, missing, error: message.split('\n')[0] };
  }
}

function loadBinding(
  load: (id: string) => unknown,
  id: string,
): Required & { binding: NativeBinding | undefined } {
  const result = tryRequire(load, id);
  const binding = result.value as NativeBinding | undefined;
  if (result.error !== undefined || typeof binding?.NativeSketch === 'function')
    return { ...result, binding };
  return { value: undefined, missing: false, error: 'it does not export NativeSketch', binding: undefined };
}
