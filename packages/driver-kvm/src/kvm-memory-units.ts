import { NovaCronError } from '@novacron/core';

const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * Reads a libvirt scaled integer (`<memory unit='GiB'>4</memory>`) as bytes, by libvirt's unit rules
 * (formatdomain.html, "Memory Allocation"): `b`, `byte` or `bytes` are bytes; a letter alone or with `iB` (`k`,
 * `KiB`, `M`, `MiB` ... `E`, `EiB`) is a power of 1,024; a letter with `B` (`KB`, `MB` ... `EB`) a power of 1,000.
 * Letters are case-insensitive, as in libvirt. No unit means `defaultUnit` (KiB for domain memory). The value is a
 * non-negative decimal integer.
 *
 * @throws NovaCronError INVALID_ARGUMENT for an unknown unit or a value that is not a non-negative integer.
 * @example
 * parseScaledBytes('4', 'GiB', 'memory'); // 4294967296n
 */
export function parseScaledBytes(
  value: string,
  unit: string | undefined,
  what: string,
  defaultUnit = 'KiB',
): bigint {
  const digits = value.trim();
  if (!/^[0-9]+$/.test(digits)) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      message: `Domain XML cannot be read: ${what} '${digits.slice(0, 40)}' is not a non-negative whole number.`,
    });
  }
  return BigInt(digits) * unitBytes(unit ?? defaultUnit, what);
}

function unitBytes(unit: string, what: string): bigint {
  const lower = unit.toLowerCase();
  if (lower === 'b' || lower === 'byte' || lower === 'bytes') return 1n;
  const power = POWERS[lower.charAt(0)];
  const rest = lower.slice(1);
  const base = rest === '' || rest === 'ib' ? 1024n : rest === 'b' ? 1000n : undefined;
  if (power === undefined || base === undefined || !Object.hasOwn(POWERS, lower.charAt(0))) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      message: `Domain XML cannot be read: ${what} has the unknown unit '${unit.slice(0, 20)}' (libvirt knows b, bytes, KiB/k, KB, MiB/M, MB ... EiB/E, EB).`,
    });
  }
  return base ** BigInt(power);
}

/** Bytes to whole MiB, rounded up (qemu aligns guest memory to whole MiB, and libvirt rounds up to KiB). */
export function bytesToMiB(bytes: bigint): number {
  return Number((bytes + 1024n * 1024n - 1n) / (1024n * 1024n));
}
