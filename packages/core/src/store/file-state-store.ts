import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NovaCronError } from '../errors/novacron-error.js';
import { LeaseTable } from './lease-table.js';
import type { Lease, StateStore, StoreChange, StoredEntry, StoreWriteOptions } from './state-store.js';
import { assertKey, checkVersion, compareKeys } from './store-checks.js';
import { StoreWatchers } from './store-watchers.js';

/** Temporary files a write leaves behind when its process dies between creating and renaming them. */
const TEMPORARY = /\.json\.[0-9a-f-]{36}\.tmp$/;

/**
 * A {@link StateStore} on disk for one process: one JSON file per key in `directory`, each write made atomic by
 * writing a temporary file, fsyncing it, renaming it over the old one and fsyncing the directory, so a crash or
 * `kill -9` leaves either the old or the new value, never a torn one, and a write that resolved is on disk. Writes
 * are serialised within the process; `open` removes the temporary files of writes a crash interrupted. Leases and
 * watches live in the process. Open a directory from one process at a time (nothing stops a second one, and two
 * would break each other's version checks); use `@novacron/store-etcd` for several processes.
 * Keys become file names, so a key may take at most about 250 bytes once URI-encoded.
 *
 * @example
 * const store = await FileStateStore.open('.novacron/state');
 */
export class FileStateStore implements StateStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly leases = new LeaseTable(Date.now);
  private readonly watchers = new StoreWatchers();

  private constructor(private readonly directory: string) {}

  /** Opens (and creates if needed) a store in `directory`, removing what interrupted writes left behind. */
  static async open(directory: string): Promise<FileStateStore> {
    await mkdir(directory, { recursive: true });
    const leftovers = (await readdir(directory)).filter((name) => TEMPORARY.test(name));
    await Promise.all(leftovers.map((name) => rm(join(directory, name), { force: true })));
    return new FileStateStore(directory);
  }

  async get<T>(key: string): Promise<StoredEntry<T> | undefined> {
    assertKey(key);
    try {
      return JSON.parse(await readFile(this.pathOf(key), 'utf8')) as StoredEntry<T>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put<T>(key: string, value: T, options: StoreWriteOptions = {}): Promise<number> {
    assertKey(key);
    if (JSON.stringify(value) === undefined)
      throw new TypeError(`The value for '${key}' is not JSON-serialisable.`);
    return this.serialise(async () => {
      const current = (await this.get(key))?.version ?? 0;
      this.checkWrite(key, current, options);
      const json = JSON.stringify({ key, value, version: current + 1 } satisfies StoredEntry<T>);
      await this.writeAtomically(this.pathOf(key), json);
      this.watchers.notify({ type: 'put', key, entry: JSON.parse(json) });
      return current + 1;
    });
  }

  async delete(key: string, options: StoreWriteOptions = {}): Promise<void> {
    assertKey(key);
    return this.serialise(async () => {
      const existing = await this.get(key);
      this.checkWrite(key, existing?.version ?? 0, options);
      if (existing === undefined) return;
      await rm(this.pathOf(key), { force: true });
      await this.syncDirectory();
      this.watchers.notify({ type: 'delete', key });
    });
  }

  async list<T>(prefix: string): Promise<StoredEntry<T>[]> {
    const names = await readdir(this.directory);
    const keys = names
      .filter((name) => name.endsWith('.json'))
      .map((name) => decodeURIComponent(name.slice(0, -'.json'.length)))
      .filter((key) => key.startsWith(prefix))
      .sort(compareKeys);
    const entries = await Promise.all(keys.map((key) => this.get<T>(key)));
    return entries.filter((entry): entry is StoredEntry<T> => entry !== undefined);
  }

  watch<T>(prefix: string, listener: (change: StoreChange<T>) => void): () => void {
    return this.watchers.add(prefix, listener);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    return this.leases.acquire(name, holder, ttlMs);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.watchers.clear();
  }

  private checkWrite(key: string, currentVersion: number, options: StoreWriteOptions): void {
    if (options.fence !== undefined) this.leases.checkFence(key, options.fence);
    checkVersion(key, currentVersion, options.expectedVersion);
  }

  private pathOf(key: string): string {
    const name = `${encodeURIComponent(key)}.json`;
    // 255 bytes is the usual file-name limit; the temporary file adds 41 characters to the name.
    if (Buffer.byteLength(name) > 255 - 41) {
      throw new NovaCronError({
        code: 'INVALID_ARGUMENT',
        field: 'key',
        message: `State key '${key.slice(0, 40)}...' is too long for FileStateStore (file names hold about 200 bytes once URI-encoded). Use a shorter key, or another store.`,
      });
    }
    return join(this.directory, name);
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
    await this.syncDirectory();
  }

  /** Makes renames and removals in the directory durable (a rename alone may be lost by a power cut). */
  private async syncDirectory(): Promise<void> {
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
