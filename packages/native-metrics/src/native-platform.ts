import { readFileSync } from 'node:fs';

/**
 * The platforms with a prebuilt binary, each published as `@novacron/native-metrics-<platform>`
 * from `npm/<platform>/`. The tests check this list against `napi.targets` in package.json.
 */
export const PREBUILT_PLATFORMS: readonly string[] = Object.freeze([
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
  'linux-arm64-musl',
]);

/**
 * The napi-rs name of the running platform: `<os>-<arch>` plus the C library on Linux (`gnu` or
 * `musl`) and the toolchain on Windows (`msvc`), e.g. `linux-x64-gnu`, `darwin-arm64`.
 *
 * @example
 * nativePlatform(); // 'linux-x64-gnu'
 */
export function nativePlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === 'linux') return `${base}-${isMusl() ? 'musl' : 'gnu'}`;
  if (process.platform === 'win32') return `${base}-msvc`;
  return base;
}

/** Whether this Linux runs on musl: `ldd` says so, or else Node was not built against glibc. */
function isMusl(): boolean {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    // No ldd (a distroless image, say): ask Node which C library it runs on.
  }
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime === undefined;
}
