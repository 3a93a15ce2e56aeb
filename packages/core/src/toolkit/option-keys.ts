/**
 * Every key of an options type, each mapped to `true`: the accepted keys of an options bag, written so the compiler
 * refuses a list that misses an option or names one the type lacks.
 *
 * @example
 * const HETZNER_OPTION_KEYS: OptionKeys<HetznerDriverOptions> = { token: true, location: true };
 */
export type OptionKeys<Options> = { readonly [Key in keyof Required<Options>]: true };

/**
 * Throws a `TypeError` naming every key of `options` that `accepted` does not list, and listing the accepted ones, so
 * a typo (`seeed: 1`) is not silently ignored. `where` is the function the options were given to; `path` is the
 * bag's place inside them (`migration`, `hosts[0]`) for nested bags. Values that are not plain objects are left to
 * the caller's own checks. Part of the driver toolkit: driver factories check their options with it.
 *
 * @example
 * assertKnownOptions('createHetznerDriver', options, HETZNER_OPTION_KEYS);
 * assertKnownOptions('createHetznerDriver', options.retry, RETRY_KEYS, 'retry');
 */
export function assertKnownOptions(
  where: string,
  options: unknown,
  accepted: Readonly<Record<string, true>>,
  path?: string,
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return;
  const unknown = Object.keys(options).filter((key) => !Object.hasOwn(accepted, key));
  if (unknown.length === 0) return;
  const prefix = path === undefined ? '' : `${path}.`;
  const names = unknown.map((key) => `'${prefix}${key}'`).join(', ');
  const place = path === undefined ? 'options' : `options in '${path}'`;
  throw new TypeError(
    `${where}: unknown option${unknown.length === 1 ? '' : 's'} ${names}. Accepted ${place}: ${Object.keys(accepted).join(', ')}. Check the spelling.`,
  );
}
