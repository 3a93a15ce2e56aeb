import { randomUUID } from 'node:crypto';
import { testStateStore } from '@novacron/core/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { createEtcdStateStore } from '../src/index.js';
import { type EtcdCluster, etcdAvailable, startEtcdCluster } from './support/etcd-cluster.js';

let cluster: EtcdCluster | undefined;

// Without etcd (locally) etcdAvailable() prints how to install it and these tests show as skipped.
describe.runIf(etcdAvailable())('etcd state store', () => {
  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  // Each test gets its own prefix on the one cluster; a small page size makes the list test cross pages.
  testStateStore(
    'etcd (three-member cluster)',
    () => {
      const prefix = `conformance/${randomUUID()}/`;
      return {
        open: () => createEtcdStateStore({ endpoints: cluster!.endpoints, prefix, pageSize: 100 }),
      };
    },
    { shared: true, durable: true, leaseTtlMs: 1_000, listKeyCount: 250 },
  );
});
