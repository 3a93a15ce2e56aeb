/**
 * Thrown where the native binding is first needed (`backend()`, `new Sketch()`, `packVectors()`...)
 * when `NOVACRON_NATIVE=required` is set and the binding did not load. Its message says why and how
 * to install the binary. `code` is stable; the message may change.
 *
 * @example
 * try { backend(); } catch (error) { if (error instanceof NativeRequiredError) console.error(error.message); }
 */
export class NativeRequiredError extends Error {
  /** Stable code of this error. */
  readonly code = 'NATIVE_REQUIRED';
  /** The platform the binary was looked for, e.g. `linux-arm64-musl`. */
  readonly platform: string;

  constructor(problem: string, platform: string) {
    super(
      `NOVACRON_NATIVE=required, but the native backend is unavailable. ${problem} Or unset NOVACRON_NATIVE to allow the TypeScript fallback.`,
    );
    this.name = 'NativeRequiredError';
    this.platform = platform;
  }
}
