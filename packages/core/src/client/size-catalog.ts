/** How long a provider's size names are trusted before a miss triggers a fresh read. */
const FRESH_FOR_MS = 60_000;

/**
 * The size names of each provider, read once and kept, so that checking `size` on every create costs a set look-up
 * instead of paging through the catalog (EC2 has over 1,200 sizes). A name missing from a list older than a minute
 * triggers one fresh read before it is refused, so sizes a provider adds later are picked up.
 */
export class SizeCatalog {
  private readonly cache = new Map<string, { names: Promise<Set<string>>; readAt: number }>();

  constructor(private readonly readNames: (provider: string, signal: AbortSignal) => Promise<Set<string>>) {}

  /** True when `provider` offers a size called `name`. */
  async has(provider: string, name: string, signal: AbortSignal): Promise<boolean> {
    const cached = this.cache.get(provider);
    if (cached !== undefined) {
      const names = await cached.names.catch(() => undefined);
      if (names?.has(name)) return true;
      if (names !== undefined && performance.now() - cached.readAt < FRESH_FOR_MS) return false;
    }
    const entry = { names: this.readNames(provider, signal), readAt: performance.now() };
    this.cache.set(provider, entry);
    entry.names.catch(() => this.cache.delete(provider));
    return (await entry.names).has(name);
  }
}
