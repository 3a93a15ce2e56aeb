import type { Fence, Lease, StateStore, StoreChange, StoredEntry, StoreWriteOptions } from '@novacron/core';
import { NovaCronError } from '@novacron/core';
import { Etcd3, type IKeyValue, type IRequestOp, type ITxnRequest, type ITxnResponse } from 'etcd3';
import { etcdFailure } from './etcd-errors.js';
import { keyAfter, prefixEnd } from './etcd-keys.js';
import { EtcdPrefixWatch } from './etcd-prefix-watch.js';
import type { EtcdStateStoreOptions } from './etcd-state-store-options.js';

/**
 * Opens a {@link StateStore} on an etcd v3 cluster, for controllers that run as replicas: every replica with the same
 * `prefix` shares values, watches and leases, and etcd's consensus keeps them consistent while members fail.
 *
 * - Versions are etcd's per-key `version` (1 on create, +1 per put, reset by a delete), so they match the memory and
 *   file stores; an expected-version put or delete is one etcd transaction comparing it.
 * - A lease is an etcd lease with a key `<prefix>leases/<name>` attached; its fencing token is that key's
 *   `mod_revision` when it was taken, and a fenced write's transaction compares it, so a deposed holder's write is
 *   refused by etcd itself. Renew with `renew()` (one etcd keep-alive) well within the ttl; etcd grants whole seconds.
 * - Lists read page by page at one revision; watches resume from a revision and recover from compaction by
 *   re-listing.
 *
 * Resolves once a member has answered; rejects with `UNAVAILABLE` (or `AUTH`) otherwise.
 *
 * @example
 * const store = await createEtcdStateStore({ endpoints: ['http://127.0.0.1:2379'], prefix: 'prod/controllers/' });
 * const lease = await store.acquireLease('leader', replicaId, 10_000);
 * if (lease) await store.put('groups/web', desired, { fence: lease });
 */
export function createEtcdStateStore(options: EtcdStateStoreOptions): Promise<EtcdStateStore> {
  return EtcdStateStore.open(options);
}

/** The etcd-backed {@link StateStore} that {@link createEtcdStateStore} opens. */
export class EtcdStateStore implements StateStore {
  private readonly client: Etcd3;
  private readonly ownsClient: boolean;
  private readonly namespace: string;
  private readonly endpoints: readonly string[];
  private readonly callTimeoutMs: number;
  private readonly pageSize: number;
  private readonly watches = new Set<EtcdPrefixWatch>();
  /** The highest revision any answer has shown this store: a watch reports changes after it. */
  private lastRevision = 0;
  private closed = false;

  /** Opens a store and checks that etcd answers; {@link createEtcdStateStore} is the same. */
  static async open(options: EtcdStateStoreOptions): Promise<EtcdStateStore> {
    const store = new EtcdStateStore(options);
    try {
      await store.readAll(store.dataKey(''), undefined, 1);
    } catch (error) {
      await store.close();
      throw etcdFailure(error, 'connect', options.endpoints);
    }
    return store;
  }

  private constructor(options: EtcdStateStoreOptions) {
    if (options.endpoints.length === 0 && options.client === undefined)
      throw new TypeError('createEtcdStateStore needs at least one endpoint, e.g. http://127.0.0.1:2379.');
    this.endpoints = options.endpoints;
    this.namespace = options.prefix ?? 'novacron/';
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.pageSize = options.pageSize ?? 1_000;
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new Etcd3({
        hosts: [...options.endpoints],
        dialTimeout: this.callTimeoutMs,
        defaultCallOptions: (context) =>
          context.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs },
        ...(options.tls === undefined
          ? {}
          : {
              credentials: {
                rootCertificate: Buffer.from(options.tls.ca),
                ...(options.tls.key === undefined ? {} : { privateKey: Buffer.from(options.tls.key) }),
                ...(options.tls.cert === undefined ? {} : { certChain: Buffer.from(options.tls.cert) }),
              },
            }),
        ...(options.auth === undefined ? {} : { auth: { ...options.auth } }),
      });
  }

  /** The `etcd3` client underneath, for what the store does not cover (cluster status, compaction). */
  getClient(): Etcd3 {
    return this.client;
  }

  async get<T>(key: string): Promise<StoredEntry<T> | undefined> {
    const response = await this.call(`read '${key}'`, () =>
      this.client.kv.range({ key: this.dataKey(checkedKey(key)) }),
    );
    this.observe(response.header.revision);
    const kv = response.kvs[0];
    return kv === undefined ? undefined : (this.toEntry(kv) as StoredEntry<T>);
  }

  async put<T>(key: string, value: T, options: StoreWriteOptions = {}): Promise<number> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`The value for '${key}' is not JSON-serialisable.`);
    const dataKey = this.dataKey(checkedKey(key));
    const response = await this.conditionalWrite(key, options, {
      request_put: { key: dataKey, value: Buffer.from(json), prev_kv: true },
    });
    const previous = response.responses[0]?.response_put.prev_kv;
    return previous === null || previous === undefined ? 1 : Number(previous.version) + 1;
  }

  async delete(key: string, options: StoreWriteOptions = {}): Promise<void> {
    await this.conditionalWrite(key, options, {
      request_delete_range: { key: this.dataKey(checkedKey(key)) },
    });
  }

  async list<T>(prefix: string): Promise<StoredEntry<T>[]> {
    const { kvs } = await this.call(`list '${prefix}'`, () => this.readAll(this.dataKey(prefix)));
    return kvs.map((kv) => this.toEntry(kv) as StoredEntry<T>);
  }

  watch<T>(prefix: string, listener: (change: StoreChange<T>) => void): () => void {
    if (this.closed) throw new TypeError('This etcd state store is closed; open a new one to watch.');
    const watch = new EtcdPrefixWatch(
      {
        client: this.client,
        readAll: (etcdPrefix, revision) => this.readAll(etcdPrefix, revision),
        toChange: (type, kv) => this.toChange(type, kv),
      },
      this.dataKey(prefix),
      this.lastRevision,
      listener as (change: StoreChange) => void,
    );
    this.watches.add(watch);
    watch.start();
    return () => {
      watch.stop();
      this.watches.delete(watch);
    };
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const leaseKey = this.leaseKey(checkedKey(name));
    if (!Number.isFinite(ttlMs) || ttlMs <= 0)
      throw new TypeError(`A lease ttl must be a positive number of milliseconds, not ${ttlMs}.`);
    const action = `acquire lease '${name}' for '${holder}'`;
    const startedAtMs = Date.now();
    const grant = await this.call(action, () =>
      this.client.leaseClient.leaseGrant({ TTL: Math.max(1, Math.ceil(ttlMs / 1_000)) }),
    );
    const holding = Buffer.from(JSON.stringify({ holder }));
    const take = (compare: NonNullable<ITxnRequest['compare']>) =>
      this.transaction(action, {
        compare,
        success: [{ request_put: { key: leaseKey, value: holding, lease: grant.ID } }],
        failure: [{ request_range: { key: leaseKey } }],
      });
    let response: ITxnResponse;
    try {
      response = await take([{ key: leaseKey, target: 'Create', result: 'Equal', create_revision: 0 }]);
      const current = response.succeeded ? undefined : response.responses[0]?.response_range.kvs[0];
      // The same holder acquiring again takes a new holding over its old one (a restarted replica, say).
      if (current !== undefined && JSON.parse(current.value.toString()).holder === holder)
        response = await take([
          { key: leaseKey, target: 'Mod', result: 'Equal', mod_revision: current.mod_revision },
        ]);
    } catch (error) {
      // Do not leave the granted etcd lease to linger until its ttl; the acquisition failed either way.
      await this.revoke(grant.ID).catch(() => {});
      throw error;
    }
    if (!response.succeeded) {
      await this.revoke(grant.ID);
      return undefined;
    }
    return this.leaseHandle(
      name,
      holder,
      grant.ID,
      Number(response.header.revision),
      startedAtMs + Number(grant.TTL) * 1_000,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    if (this.ownsClient) this.client.close();
  }

  /** The etcd key of a store key. */
  private dataKey(key: string): Buffer {
    return Buffer.from(`${this.namespace}kv/${key}`);
  }

  /**
   * Every key-value under the etcd key prefix `prefix`, read `pageSize` keys at a time at one revision
   * (`revision`, or the latest), so the whole list is one consistent snapshot and never truncated.
   */
  private async readAll(
    prefix: Buffer,
    revision?: number,
    limit?: number,
  ): Promise<{ revision: number; kvs: IKeyValue[] }> {
    const kvs: IKeyValue[] = [];
    const rangeEnd = prefixEnd(prefix);
    let start = prefix;
    let atRevision = revision;
    for (;;) {
      const page = await this.client.kv.range({
        key: start,
        range_end: rangeEnd,
        limit: limit ?? this.pageSize,
        ...(atRevision === undefined ? {} : { revision: atRevision }),
      });
      this.observe(page.header.revision);
      atRevision ??= Number(page.header.revision);
      kvs.push(...page.kvs);
      const last = page.kvs.at(-1);
      if (!page.more || last === undefined || limit !== undefined) return { revision: atRevision, kvs };
      start = keyAfter(last.key);
    }
  }

  /** A store change from an etcd key-value under this store's namespace. */
  private toChange(type: 'put' | 'delete', kv: IKeyValue): StoreChange {
    const entry = this.toEntry(kv);
    return type === 'put' ? { type, key: entry.key, entry } : { type, key: entry.key };
  }

  private toEntry(kv: IKeyValue): StoredEntry {
    const key = kv.key.toString('utf8').slice(`${this.namespace}kv/`.length);
    const value =
      kv.value === undefined || kv.value.length === 0 ? undefined : JSON.parse(kv.value.toString('utf8'));
    return { key, value, version: Number(kv.version) };
  }

  private leaseKey(name: string): Buffer {
    return Buffer.from(`${this.namespace}leases/${name}`);
  }

  /** Runs `operation` as one transaction guarded by the write options; `CONFLICT` says which guard failed. */
  private async conditionalWrite(
    key: string,
    options: StoreWriteOptions,
    operation: IRequestOp,
  ): Promise<ITxnResponse> {
    const dataKey = this.dataKey(key);
    const compare: NonNullable<ITxnRequest['compare']> = [];
    if (options.expectedVersion !== undefined)
      compare.push({ key: dataKey, target: 'Version', result: 'Equal', version: options.expectedVersion });
    if (options.fence !== undefined) compare.push(this.fenceCompare(options.fence));
    const failure: IRequestOp[] = [{ request_range: { key: dataKey } }];
    if (options.fence !== undefined)
      failure.push({ request_range: { key: this.leaseKey(options.fence.name) } });
    const response = await this.transaction(`write '${key}'`, { compare, success: [operation], failure });
    if (response.succeeded) return response;
    const version = Number(response.responses[0]?.response_range.kvs[0]?.version ?? 0);
    const lease = response.responses[1]?.response_range.kvs[0];
    if (options.fence !== undefined && Number(lease?.mod_revision ?? 0) !== options.fence.fencingToken)
      throw fenceConflict(key, options.fence);
    throw new NovaCronError({
      code: 'CONFLICT',
      message: `State '${key}' is at version ${version}, not the expected ${options.expectedVersion}: someone else changed it. Read it again and retry.`,
    });
  }

  private fenceCompare(fence: Fence): NonNullable<ITxnRequest['compare']>[number] {
    return {
      key: this.leaseKey(fence.name),
      target: 'Mod',
      result: 'Equal',
      mod_revision: fence.fencingToken,
    };
  }

  private leaseHandle(
    name: string,
    holder: string,
    id: string,
    fencingToken: number,
    expiresAtMs: number,
  ): Lease {
    return {
      name,
      holder,
      fencingToken,
      expiresAtMs,
      renew: async () => {
        const startedAtMs = Date.now();
        const ttlSeconds = await this.call(`renew lease '${name}'`, () => this.keepAliveOnce(id));
        if (ttlSeconds <= 0) throw leaseLost(name, holder);
        const response = await this.call(`renew lease '${name}'`, () =>
          this.client.kv.range({ key: this.leaseKey(name) }),
        );
        const kv = response.kvs[0];
        if (kv === undefined || Number(kv.mod_revision) !== fencingToken) {
          await this.revoke(id);
          throw leaseLost(name, holder);
        }
        return this.leaseHandle(name, holder, id, fencingToken, startedAtMs + ttlSeconds * 1_000);
      },
      release: () => this.revoke(id),
    };
  }

  /** One keep-alive of etcd lease `id`; resolves to the ttl etcd granted (0 once the lease has expired). */
  private async keepAliveOnce(id: string): Promise<number> {
    const stream = await this.client.leaseClient.leaseKeepAlive({
      deadline: Date.now() + this.callTimeoutMs,
    });
    try {
      const response = await new Promise<{ TTL: string }>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', reject);
        stream.write({ ID: id });
      });
      return Number(response.TTL);
    } finally {
      stream.end();
    }
  }

  /** Revokes etcd lease `id` (deleting the lease key if it is still attached); a lease already gone is fine. */
  private async revoke(id: string): Promise<void> {
    try {
      await this.client.leaseClient.leaseRevoke({ ID: id });
    } catch (error) {
      if (!/lease not found|requested lease not found/i.test(String(error)))
        throw etcdFailure(error, 'revoke a lease', this.endpoints);
    }
  }

  private async transaction(action: string, request: ITxnRequest): Promise<ITxnResponse> {
    const response = await this.call(action, () => this.client.kv.txn(request));
    this.observe(response.header.revision);
    return response;
  }

  /** Runs one etcd call, turning its failure into a `NovaCronError`. */
  private async call<R>(action: string, run: () => Promise<R>): Promise<R> {
    if (this.closed) throw new TypeError(`This etcd state store is closed; cannot ${action}.`);
    try {
      return await run();
    } catch (error) {
      throw etcdFailure(error, action, this.endpoints);
    }
  }

  private observe(revision: string): void {
    this.lastRevision = Math.max(this.lastRevision, Number(revision));
  }
}

function checkedKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError('State store keys must be non-empty strings.');
  return key;
}

function fenceConflict(key: string, fence: Fence): NovaCronError {
  return new NovaCronError({
    code: 'CONFLICT',
    message: `Write to '${key}' refused: lease '${fence.name}' is no longer held with fencing token ${fence.fencingToken} (it expired or another holder took it). Stop acting as its holder and acquire the lease again.`,
  });
}

function leaseLost(name: string, holder: string): NovaCronError {
  return new NovaCronError({
    code: 'CONFLICT',
    message: `Lease '${name}' was lost by '${holder}' (expired or taken over). Acquire it again.`,
  });
}
