import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backend, js, native, nativeUnavailableReason } from '../src/index.js';
import { loadNativeBinding } from '../src/native-loader.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

function runProbe(environment: Record<string, string>): string {
  const probe =
    "import('./src/index.ts').then((m) => console.log(JSON.stringify({ backend: m.backend, reason: m.nativeUnavailableReason ?? null })))";
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: packageDirectory,
    env: { ...process.env, ...environment },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('backend selection', () => {
  it('prefers native when it loaded and always exposes js', () => {
    expect(js.name).toBe('js');
    expect(backend).toBe(native === undefined ? 'js' : 'native');
    if (native === undefined) expect(nativeUnavailableReason).toMatch(/native/);
    else expect(nativeUnavailableReason).toBeUndefined();
  });

  it('forces the TypeScript fallback with NOVACRON_NATIVE=0 and says why', () => {
    const result = loadNativeBinding({ NOVACRON_NATIVE: '0', CI: 'true' });
    expect(result.binding).toBeUndefined();
    expect(result.reason).toMatch(/NOVACRON_NATIVE=0/);
    expect(JSON.parse(runProbe({ NOVACRON_NATIVE: '0' }))).toEqual({
      backend: 'js',
      reason: 'NOVACRON_NATIVE=0 selects the TypeScript fallback.',
    });
  });

  it('falls back with the reason when the binary fails to load, and fails under CI=true', () => {
    const broken = { NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/native-metrics.node', CI: '' };
    const local = JSON.parse(runProbe(broken));
    expect(local.backend).toBe('js');
    expect(local.reason).toMatch(/did not load/);
    expect(() => runProbe({ ...broken, CI: 'true' })).toThrow(/Under CI=true this is an error/);
  });
});
