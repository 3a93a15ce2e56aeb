import type { Etcd3 } from 'etcd3';

/** TLS settings for talking to etcd over `https://` endpoints (PEM contents, not file paths). */
export interface EtcdTlsOptions {
  /** The CA certificate(s) that signed the etcd servers' certificates. */
  ca: string | Buffer;
  /** The client certificate, for clusters that require client certificates. Default: none. */
  cert?: string | Buffer | undefined;
  /** The client certificate's private key (never logged nor put in errors). Default: none. */
  key?: string | Buffer | undefined;
}

/** Options of {@link createEtcdStateStore}. */
export interface EtcdStateStoreOptions {
  /** The etcd client URLs, e.g. `['http://10.0.0.1:2379', 'http://10.0.0.2:2379']`; calls fail over between them. */
  endpoints: readonly string[];
  /**
   * Where this store's keys live in etcd: values under `<prefix>kv/`, leases under `<prefix>leases/`. Stores with the
   * same prefix share state. Default `novacron/`.
   */
  prefix?: string | undefined;
  /** TLS for `https://` endpoints. Default: none (plain `http://`). */
  tls?: EtcdTlsOptions | undefined;
  /** etcd user and password, for clusters with authentication on (the password is never logged nor put in errors). */
  auth?: { username: string; password: string } | undefined;
  /** The deadline of each etcd call in milliseconds (watch streams have none). Default 10,000. */
  callTimeoutMs?: number | undefined;
  /** How many keys `list` reads per etcd request; a list is read page by page at one revision. Default 1,000. */
  pageSize?: number | undefined;
  /**
   * An `Etcd3` client to use instead of one built from `endpoints`, `tls` and `auth` (its own options then apply,
   * and `close` leaves it open). Default: the store builds and owns one.
   */
  client?: Etcd3 | undefined;
}
