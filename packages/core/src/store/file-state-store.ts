import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assertKey, checkVersion, MemoryStateStore } from './memory-state-store.js';
import type { Lease, StateStore, StoreChange, StoredEntry } from './state-store.js';
import { StoreWatchers } from './store-watchers.js';

/**
 * A {@link StateStore} on disk for single-process durability: one JSON file per key in `directory`, each write made
 * atomic by writing a temporary file, fsyncing it, renaming it over the old one and fsyncing the directory, so a
 * crash leaves either the old or the new value, never a torn one. Writes are serialised within the process.
 * Leases and watches are per process (use an etcd-backed store for several processes).
 *
 * @example
 * const store = await FileStateStore.open('.novacron/state');
 */
export class FileStateStore implements StateStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly local = new MemoryStateStore();
  private readonly watchers = new StoreWatchers();

  private constructor(private readonly directory: string) {}

  /** Opens (and creates if needed) a store in `directory`. */
  static async open(directory: string): Promise<FileStateStore> {
    await mkdir(directory, { recursive: true });
    return new FileStateStore(directory);
  }

  async get<T>(key: string): Promise<StoredEntry<T> | undefined> {
    assertKey(key);
    return this.readFileEntry<T>(this.pathOf(key));
  }

  put<T>(key: string, value: T, options: { expectedVersion?: number | undefined } = {}): Promise<number> {
    assertKey(key);
    return this.serialise(async () => {
      const current = (await this.get(key))?.version ?? 0;
      checkVersion(key, current, options.expectedVersion);
      const entry: StoredEntry<T> = { key, value, version: current + 1 };
      const json = JSON.stringify(entry);
      if (json === undefined) throw new TypeError(`The value for '${key}' is not JSON-serialisable.`);
      await this.writeAtomically(this.pathOf(key), json);
      this.watchers.notify({ type: 'put', key, entry: JSON.parse(json) });
      return entry.version;
    });
  }

  delete(key: string, options: { expectedVersion?: number | undefined } = {}): Promise<void> {
    assertKey(key);
    return this.serialise(async () => {
      const existing = await this.get(key);
      if (options.expectedVersion !== undefined)
        checkVersion(key, existing?.version ?? 0, options.expectedVersion);
      if (existing === undefined) return;
      await rm(this.pathOf(key), { force: true });
      this.watchers.notify({ type: 'delete', key });
    });
  }

  async list<T>(prefix: string): Promise<StoredEntry<T>[]> {
    const names = await readdir(this.directory);
    const keys = names
      .filter((name) => name.endsWith('.json'))
      .map((name) => decodeURIComponent(name.slice(0, -'.json'.length)))
      .filter((key) => key.startsWith(prefix))
      .sort();
    const entries = await Promise.all(keys.map((key) => this.get<T>(key)));
    return entries.filter((entry): entry is StoredEntry<T> => entry !== undefined);
  }

  watch<T>(prefix: string, listener: (change: StoreChange<T>) => void): () => void {
    return this.watchers.add(prefix, listener);
  }

  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    return this.local.acquireLease(name, holder, ttlMs);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.watchers.clear();
  }

  private pathOf(key: string): string {
    return join(this.directory, `${encodeURIComponent(key)}.json`);
  }

  private async readFileEntry<T>(path: string): Promise<StoredEntry<T> | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as StoredEntry<T>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async writeAtomically(path: string, contents: string): Promise<void> {
    const temporary = `${path}.${randomUUID()}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(contents, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    const directory = await open(this.directory, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => {});
    return result;
  }
}
