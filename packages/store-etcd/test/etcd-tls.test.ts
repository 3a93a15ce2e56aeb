import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NovaCronError } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdStateStore } from '../src/index.js';
import { type EtcdCluster, etcdAvailable, startEtcdCluster } from './support/etcd-cluster.js';
import { makeTestCertificates, type TestCertificates } from './support/test-certificates.js';

const available = etcdAvailable();
let cluster: EtcdCluster;
let certificates: TestCertificates;
let directory: string;

describe.runIf(available)('etcd state store over TLS with client certificates (one member)', () => {
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'novacron-etcd-tls-'));
    certificates = makeTestCertificates(directory);
    cluster = await startEtcdCluster(1, certificates);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('connects with the CA and a client certificate, passed as PEM contents', async () => {
    const store = await createEtcdStateStore({
      endpoints: cluster.endpoints,
      tls: {
        ca: readFileSync(certificates.caFile),
        cert: readFileSync(certificates.clientCertFile, 'utf8'),
        key: readFileSync(certificates.clientKeyFile, 'utf8'),
      },
    });
    try {
      expect(cluster.endpoints[0]).toMatch(/^https:/);
      expect(await store.put('tls/k', 'over TLS', { expectedVersion: 0 })).toBe(1);
      expect((await store.get('tls/k'))?.value).toBe('over TLS');
    } finally {
      await store.close();
    }
  });

  it('is refused with AUTH without a client certificate, and the error carries no key material', async () => {
    const failure = await createEtcdStateStore({
      endpoints: cluster.endpoints,
      tls: { ca: readFileSync(certificates.caFile) },
      callTimeoutMs: 3_000,
    }).catch((error: unknown) => error);
    expect(NovaCronError.isInstance(failure) && failure.code).toBe('AUTH');
    expect(String((failure as Error).message)).not.toContain('PRIVATE KEY');
  });
});
