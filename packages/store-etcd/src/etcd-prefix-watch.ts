import type { StoreChange } from '@novacron/core';
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';

/** What a {@link EtcdPrefixWatch} needs from its store. */
export interface PrefixWatchSource {
  /** The client the watch streams from. */
  readonly client: Etcd3;
  /** Every key-value under `prefix` at `revision` (default: the latest), page by page, and the revision read. */
  readAll(prefix: Buffer, revision?: number): Promise<{ revision: number; kvs: IKeyValue[] }>;
  /** Turns an etcd key-value under the store's namespace into the store's entry. */
  toChange(type: 'put' | 'delete', kv: IKeyValue): StoreChange;
}

const RETRY_MS = [100, 200, 500, 1_000, 2_000, 5_000] as const;

/**
 * One `watch(prefix)` of the etcd store. It streams etcd's events from the revision the store had reached when the
 * watch began; the `etcd3` client resumes the stream after a disconnection from the last revision it saw. When etcd
 * has compacted that revision away (the watcher was disconnected for long, or the cluster compacts often), it
 * re-lists the prefix and reports what changed meanwhile: a put for every key modified after the last delivered
 * revision, a delete for every known key that is gone. So it keeps, per watch, each key's last modification
 * revision (a few dozen bytes per key under the prefix).
 */
export class EtcdPrefixWatch {
  private readonly known = new Map<string, number>();
  private watcher: Watcher | undefined;
  private stopped = false;

  /**
   * @param delivered the revision the store had seen when `watch` was called: changes after it are reported.
   */
  constructor(
    private readonly source: PrefixWatchSource,
    private readonly prefix: Buffer,
    private delivered: number,
    private readonly listener: (change: StoreChange) => void,
  ) {}

  /** Starts watching: reads the keys as of the start revision (to recognise deletes after a compaction), then streams. */
  start(): void {
    void this.retrying(async () => {
      try {
        const snapshot = await this.source.readAll(this.prefix, this.delivered);
        for (const kv of snapshot.kvs) this.known.set(kv.key.toString('binary'), Number(kv.mod_revision));
        this.attach();
      } catch (error) {
        if (!isCompacted(error)) throw error;
        await this.resync();
      }
    });
  }

  /** Stops reporting changes and closes the etcd watcher. */
  stop(): void {
    this.stopped = true;
    void this.watcher?.cancel().catch(() => {});
    this.watcher = undefined;
  }

  private attach(): void {
    if (this.stopped) return;
    const watcher = this.source.client
      .watch()
      .prefix(this.prefix)
      .startRevision(String(this.delivered + 1))
      .watcher();
    this.watcher = watcher;
    watcher.on('data', (response: IWatchResponse) => this.deliver(response));
    // The client reconnects by itself; an error means etcd cancelled the watch, usually because the revision to
    // resume from was compacted. Start again from a fresh list.
    watcher.on('error', () => {
      if (this.watcher !== watcher) return;
      this.watcher = undefined;
      void watcher.cancel().catch(() => {});
      void this.retrying(() => this.resync());
    });
  }

  private deliver(response: IWatchResponse): void {
    for (const event of response.events) {
      if (this.stopped) return;
      const revision = Number(event.kv.mod_revision);
      const id = event.kv.key.toString('binary');
      if (event.type === 'Put') this.known.set(id, revision);
      else this.known.delete(id);
      this.delivered = Math.max(this.delivered, revision);
      this.listener(this.source.toChange(event.type === 'Put' ? 'put' : 'delete', event.kv));
    }
  }

  /** Reports what changed since the last delivered revision from a fresh list, then streams on from that list. */
  private async resync(): Promise<void> {
    const current = await this.source.readAll(this.prefix);
    const present = new Set<string>();
    const changed = current.kvs
      .filter((kv) => Number(kv.mod_revision) > this.delivered)
      .sort((left, right) => Number(left.mod_revision) - Number(right.mod_revision));
    for (const kv of current.kvs) present.add(kv.key.toString('binary'));
    const gone = [...this.known.keys()].filter((id) => !present.has(id));
    if (this.stopped) return;
    for (const id of gone) {
      this.known.delete(id);
      this.listener(
        this.source.toChange('delete', {
          key: Buffer.from(id, 'binary'),
          mod_revision: String(current.revision),
        } as IKeyValue),
      );
    }
    for (const kv of changed) {
      this.known.set(kv.key.toString('binary'), Number(kv.mod_revision));
      this.listener(this.source.toChange('put', kv));
    }
    this.delivered = current.revision;
    this.attach();
  }

  /** Runs `work` until it succeeds or the watch stops, waiting longer after each failure (etcd may be down). */
  private async retrying(work: () => Promise<void>): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt += 1) {
      try {
        await work();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
      }
    }
  }
}

/** Whether etcd refused a read or watch because the revision asked for was compacted. */
export function isCompacted(error: unknown): boolean {
  return error instanceof Error && /compacted/i.test(error.message);
}
