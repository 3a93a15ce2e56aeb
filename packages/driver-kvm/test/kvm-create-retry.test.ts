import { randomUUID } from 'node:crypto';
import { type CreateVmSpec, type DriverCallContext, NovaCronError } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver, type KvmDriver } from '../src/index.js';
import { buildDomainXml } from '../src/kvm-domain-xml.js';
import { idempotencyUuid, specSha256 } from '../src/kvm-idempotency.js';
import {
  type DomainRef,
  DomainState,
  formatUuid,
  LibvirtClient,
  LibvirtConnectionError,
} from '../src/libvirt/index.js';
import {
  kvmAccelerationWorks,
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';

// Same-key create retries against a real qemu libvirtd that is restarted in between, as a service restart does:
// after it every shut-off domain reads libvirt's shut-off reason `unknown`, the reason a domain that was defined
// but never started also reads. Only NovaCron's own record of the first start tells the two apart.

const available = libvirtAvailable();
const SHUTOFF_UNKNOWN = 0;

function context(): DriverCallContext {
  return { signal: new AbortController().signal, operationId: randomUUID(), attempt: 1 };
}

function createContext(idempotencyKey: string) {
  return { ...context(), idempotencyKey };
}

async function failure(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (caught: unknown) => caught,
  );
  expect(NovaCronError.isInstance(error), `expected a NovaCronError, got ${String(error)}`).toBe(true);
  return error as NovaCronError;
}

const died = () => new LibvirtConnectionError('connection lost (daemon killed)', 'test');

/** A client whose next call of some procedures fails as if the daemon died (fault injection at the client). */
class FaultyClient extends LibvirtClient {
  readonly faults = new Map<string, () => Error>();

  private fault(procedure: string): void {
    const make = this.faults.get(procedure);
    if (make === undefined) return;
    this.faults.delete(procedure);
    throw make();
  }

  override async createDomain(domain: DomainRef, flags?: number, signal?: AbortSignal): Promise<DomainRef> {
    this.fault('create');
    return super.createDomain(domain, flags, signal);
  }

  override async undefineDomain(domain: DomainRef, flags?: number, signal?: AbortSignal): Promise<void> {
    this.fault('undefine');
    return super.undefineDomain(domain, flags, signal);
  }

  override async setDomainMetadata(
    domain: DomainRef,
    metadata: { type: number; metadata: string | null; key: string | null; uri: string | null },
    flags: number,
    signal?: AbortSignal,
  ): Promise<void> {
    this.fault('set-metadata');
    return super.setDomainMetadata(domain, metadata, flags, signal);
  }
}

describe.skipIf(!available)('same-key create retries across a libvirtd restart (real qemu libvirtd)', () => {
  const domainType = kvmAccelerationWorks() ? 'kvm' : 'qemu';
  let daemon: LibvirtDaemon;
  let faulty: FaultyClient;
  let driver: KvmDriver;

  beforeAll(async () => {
    daemon = await startLibvirtDaemon({ name: 'create-retry' });
    faulty = new FaultyClient(daemon.uri('qemu'));
    driver = createKvmDriver({
      hosts: [{ id: 'q1', uri: daemon.uri('qemu'), client: faulty, overcommit: { vcpus: 8 } }],
      domainType,
      shutdownTimeoutMs: 2_000,
    });
  });

  afterAll(async () => {
    await driver?.close();
    await faulty?.close();
    await daemon?.stop();
  });

  /** Restarts the daemon and waits until the driver's client talks to the new one. */
  async function restartDaemon(): Promise<void> {
    await daemon.restart();
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await faulty.getHostname();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async function libvirtState(name: string): Promise<{ state: number; reason: number }> {
    return faulty.getDomainState(await faulty.lookupDomainByName(name));
  }

  const spec = (name: string): CreateVmSpec => ({ name, resources: { vcpus: 1, memoryMiB: 64 } });

  it('leaves a VM the user stopped stopped when the same create is retried after a daemon restart', async () => {
    const key = randomUUID();
    expect((await driver.doCreateVm(spec('cr-stopped'), createContext(key))).state.name).toBe('running');
    // The first start is on record in the persistent definition (flag 2: inactive XML), which a restart reloads.
    const persistent = await faulty.getDomainXml(await faulty.lookupDomainByName('cr-stopped'), 2);
    expect(persistent).toMatch(/<nc:started-at value="[0-9T:.-]+Z"\/>/);
    expect(persistent).not.toContain('start-pending');
    await driver.doStopVm('cr-stopped', { force: true }, context());
    await restartDaemon();
    // The premise: after the restart the stopped VM reads like one that was never started.
    expect(await libvirtState('cr-stopped')).toEqual({ state: DomainState.SHUTOFF, reason: SHUTOFF_UNKNOWN });
    const retried = await driver.doCreateVm(spec('cr-stopped'), createContext(key));
    expect(retried.state.name).toBe('stopped');
    expect((await libvirtState('cr-stopped')).state).toBe(DomainState.SHUTOFF);
    await driver.doDeleteVm('cr-stopped', context());
  });

  it('starts a VM whose first create died between define and start, also after a daemon restart, and only once', async () => {
    const key = randomUUID();
    faulty.faults.set('create', died);
    faulty.faults.set('undefine', died);
    expect((await failure(driver.doCreateVm(spec('cr-half'), createContext(key)))).code).toBe('UNAVAILABLE');
    await restartDaemon();
    expect(await libvirtState('cr-half')).toEqual({ state: DomainState.SHUTOFF, reason: SHUTOFF_UNKNOWN });
    expect((await driver.doCreateVm(spec('cr-half'), createContext(key))).state.name).toBe('running');
    // Started once: from now on the VM stays as the user leaves it.
    await driver.doStopVm('cr-half', { force: true }, context());
    await restartDaemon();
    expect((await driver.doCreateVm(spec('cr-half'), createContext(key))).state.name).toBe('stopped');
    await driver.doDeleteVm('cr-half', context());
  });

  it('records the first start when the first create died right after starting the VM', async () => {
    const key = randomUUID();
    faulty.faults.set('set-metadata', died);
    expect((await failure(driver.doCreateVm(spec('cr-unmarked'), createContext(key)))).code).toBe(
      'UNAVAILABLE',
    );
    expect((await libvirtState('cr-unmarked')).state).toBe(DomainState.RUNNING);
    // The retry finds it running without the record and records the start; it stays running.
    expect((await driver.doCreateVm(spec('cr-unmarked'), createContext(key))).state.name).toBe('running');
    await driver.doStopVm('cr-unmarked', { force: true }, context());
    await restartDaemon();
    expect((await driver.doCreateVm(spec('cr-unmarked'), createContext(key))).state.name).toBe('stopped');
    await driver.doDeleteVm('cr-unmarked', context());
  });

  it('records the first start when the user starts a half-created VM through the driver instead of retrying', async () => {
    const key = randomUUID();
    faulty.faults.set('create', died);
    faulty.faults.set('undefine', died);
    expect((await failure(driver.doCreateVm(spec('cr-user'), createContext(key)))).code).toBe('UNAVAILABLE');
    await driver.doStartVm('cr-user', context());
    await driver.doStopVm('cr-user', { force: true }, context());
    await restartDaemon();
    expect((await driver.doCreateVm(spec('cr-user'), createContext(key))).state.name).toBe('stopped');
    await driver.doDeleteVm('cr-user', context());
  });

  it('never starts a shut-off VM made by a NovaCron that did not record first starts', async () => {
    // The domain as NovaCron wrote it before the record existed: no start-pending, no started-at.
    const key = randomUUID();
    const legacy = spec('cr-legacy');
    const xml = buildDomainXml({
      name: 'cr-legacy',
      uuid: formatUuid(idempotencyUuid(key)),
      domainType,
      vcpus: 1,
      memoryMiB: 64,
      emulator: '/usr/bin/qemu-system-x86_64',
      machine: 'pc',
      metadata: {
        tags: {},
        idempotencyKey: key,
        specSha256: specSha256(legacy),
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    });
    expect(xml).not.toContain('start-pending');
    await faulty.defineDomainXml(xml);
    await restartDaemon();
    expect(await libvirtState('cr-legacy')).toEqual({ state: DomainState.SHUTOFF, reason: SHUTOFF_UNKNOWN });
    const retried = await driver.doCreateVm(legacy, createContext(key));
    expect(retried.state.name).toBe('stopped');
    await driver.doDeleteVm('cr-legacy', context());
  });
});
