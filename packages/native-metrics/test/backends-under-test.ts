import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { js, type MetricsBackend, native, nativeUnavailableReason } from '../src/index.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

function warnIfStale(): void {
  const binaries = readdirSync(packageDirectory).filter((name) => name.endsWith('.node'));
  if (binaries.length === 0) return;
  const built = Math.min(...binaries.map((name) => statSync(`${packageDirectory}/${name}`).mtimeMs));
  const sources = readdirSync(`${packageDirectory}/src`).filter((name) => name.endsWith('.rs'));
  const newest = Math.max(...sources.map((name) => statSync(`${packageDirectory}/src/${name}`).mtimeMs));
  if (newest > built) {
    console.warn(
      '[native-metrics] the native binary is older than src/*.rs; rebuild with `npm run build -w packages/native-metrics`.',
    );
  }
}

/**
 * The backends every behaviour test runs against: the TypeScript one always, the native one when
 * built. Under `CI=true` a missing native backend fails this project's own test run instead of
 * shrinking it (a policy of these tests, not of the package, which never reads `CI`).
 */
export function backendsUnderTest(): MetricsBackend[] {
  const loaded = native();
  if (loaded === undefined) {
    if (process.env.CI === 'true') {
      throw new Error(
        `native-metrics tests need the native backend under CI=true: ${nativeUnavailableReason()}`,
      );
    }
    console.warn(`[native-metrics] native backend skipped: ${nativeUnavailableReason()}`);
    return [js];
  }
  warnIfStale();
  return [js, loaded];
}

/** The native backend for parity tests, or undefined (with the reason logged) when skipped locally. */
export function nativeForParity(): MetricsBackend | undefined {
  const backends = backendsUnderTest();
  return backends.find((backend) => backend.name === 'native');
}
