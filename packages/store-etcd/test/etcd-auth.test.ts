import { NovaCronError } from '@novacron/core';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdStateStore } from '../src/index.js';
import { type EtcdCluster, etcdAvailable, startEtcdCluster } from './support/etcd-cluster.js';

const PASSWORD = 'correct-horse-battery-staple';
const available = etcdAvailable();
let cluster: EtcdCluster;

describe.runIf(available)('etcd state store with authentication on (one member)', () => {
  beforeAll(async () => {
    cluster = await startEtcdCluster(1);
    const admin = new Etcd3({ hosts: [...cluster.endpoints] });
    try {
      await admin.role('root').create();
      await (await admin.user('root').create(PASSWORD)).addRole('root');
      await admin.auth.authEnable({});
    } finally {
      admin.close();
    }
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('works with the right password', async () => {
    const store = await createEtcdStateStore({
      endpoints: cluster.endpoints,
      auth: { username: 'root', password: PASSWORD },
    });
    try {
      expect(await store.put('auth/k', { ok: true }, { expectedVersion: 0 })).toBe(1);
      expect((await store.get('auth/k'))?.value).toEqual({ ok: true });
    } finally {
      await store.close();
    }
  });

  it('fails with AUTH, naming neither password, when the password is wrong', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const failure = await createEtcdStateStore({
      endpoints: cluster.endpoints,
      auth: { username: 'root', password: wrong },
    }).catch((error: unknown) => error);
    expect(NovaCronError.isInstance(failure) && failure.code).toBe('AUTH');
    const text = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack}`;
    expect(text).not.toContain(PASSWORD);
    expect((failure as Error).message).toMatch(/refused to connect/);
  });

  it('fails with AUTH without credentials', async () => {
    const failure = await createEtcdStateStore({ endpoints: cluster.endpoints }).catch(
      (error: unknown) => error,
    );
    expect(NovaCronError.isInstance(failure) && failure.code).toBe('AUTH');
  });
});
