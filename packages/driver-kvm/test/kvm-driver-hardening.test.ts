import { randomUUID } from 'node:crypto';
import { type DriverCallContext, NovaCronError, type ProviderVm } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver, type KvmDriver, type KvmDriverOptions } from '../src/index.js';
import {
  type DomainRef,
  LibvirtClient,
  LibvirtConnectionError,
  LibvirtError,
  LibvirtErrorCode,
} from '../src/libvirt/index.js';
import {
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';

const available = libvirtAvailable();

function context(): DriverCallContext {
  return { signal: new AbortController().signal, operationId: randomUUID(), attempt: 1 };
}

function createContext(idempotencyKey: string = randomUUID()) {
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

/** A client whose next calls of some procedures fail as if the daemon died (fault injection at the client). */
class FaultyClient extends LibvirtClient {
  readonly faults = new Map<string, () => Error>();

  private fault(procedure: string): void {
    const make = this.faults.get(procedure);
    if (make === undefined) return;
    this.faults.delete(procedure);
    throw make();
  }

  /** Runs before every define (a test holds a define back to force a race). */
  beforeDefine: (() => Promise<void>) | undefined;

  override async defineDomainXml(xml: string, flags?: number, signal?: AbortSignal): Promise<DomainRef> {
    await this.beforeDefine?.();
    this.fault('define');
    return super.defineDomainXml(xml, flags, signal);
  }

  override async createDomain(domain: DomainRef, flags?: number, signal?: AbortSignal): Promise<DomainRef> {
    this.fault('create');
    return super.createDomain(domain, flags, signal);
  }

  override async undefineDomain(domain: DomainRef, flags?: number, signal?: AbortSignal): Promise<void> {
    this.fault('undefine');
    return super.undefineDomain(domain, flags, signal);
  }
}

const died = () => new LibvirtConnectionError('connection lost (daemon killed)', 'test');

describe.skipIf(!available)('kvm driver hardening (real libvirtd, test driver)', () => {
  let daemon: LibvirtDaemon;
  let faulty: FaultyClient;
  let driver: KvmDriver;
  const drivers: KvmDriver[] = [];

  function make(options: Partial<KvmDriverOptions> = {}): KvmDriver {
    const made = createKvmDriver({
      hosts: [{ id: 'h1', uri: daemon.uri('test'), overcommit: { vcpus: 100, memoryMiB: 100 } }],
      domainType: 'test',
      images: { base: { pool: 'default-pool', volume: 'hardening-base.qcow2', defaultDiskGiB: 1 } },
      ...options,
    });
    drivers.push(made);
    return made;
  }

  const client = () => driver.getClient().get('h1') as LibvirtClient;

  beforeAll(async () => {
    daemon = await startLibvirtDaemon({ name: 'hardening' });
    faulty = new FaultyClient(daemon.uri('test'));
    driver = make({
      hosts: [
        { id: 'h1', uri: daemon.uri('test'), client: faulty, overcommit: { vcpus: 100, memoryMiB: 100 } },
      ],
    });
    const pool = await faulty.lookupStoragePool('default-pool');
    await faulty.createStorageVolume(
      pool,
      "<volume><name>hardening-base.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>",
    );
  });

  afterAll(async () => {
    for (const made of drivers) await made.close().catch(() => undefined);
    await faulty?.close();
    await daemon?.stop();
  });

  async function overlayExists(name: string): Promise<boolean> {
    const pool = await client().lookupStoragePool('default-pool');
    return client()
      .lookupStorageVolume(pool, `${name}-root.qcow2`)
      .then(
        () => true,
        () => false,
      );
  }

  it('hands back non-ASCII tags that libvirt stores as character references', async () => {
    const tags = { owner: 'José', team: 'Zürich 🚀', note: '日本語' };
    await driver.doCreateVm(
      { name: 'hd-unicode', resources: { vcpus: 1, memoryMiB: 64 }, tags },
      createContext(),
    );
    const xml = await client().getDomainXml(await client().lookupDomainByName('hd-unicode'));
    expect(xml).toContain('Jos&#xE9;');
    expect((await driver.doGetVm('hd-unicode', context())).tags).toEqual(tags);
    await driver.doDeleteVm('hd-unicode', context());
  });

  it('lists, checks and deletes a domain whose XML nests 120 deep, and lists an unreadable one as unknown', async () => {
    let nested = '';
    for (let depth = 0; depth < 120; depth += 1) nested = `<d:layer n="${depth}">${nested}</d:layer>`;
    const deepXml = `<domain type='test'><name>hd-deep</name><memory unit='MiB'>64</memory><metadata><d:chain xmlns:d="urn:example:deep">${nested}</d:chain></metadata><os><type>hvm</type></os></domain>`;
    await client().createDomain(await client().defineDomainXml(deepXml));
    const broken = createKvmDriver({
      hosts: [
        { id: 'h1', uri: daemon.uri('test'), client: new BrokenXmlClient(daemon.uri('test'), 'hd-deep') },
      ],
      domainType: 'test',
    });
    drivers.push(broken);
    try {
      const listed = (await driver.doListVms({}, context())).items.find((vm) => vm.id === 'hd-deep');
      expect(listed).toMatchObject({ state: { name: 'running' }, resources: { memoryMiB: 64 } });
      expect((await driver.checkMigration('hd-deep', 'h1')).blockers).toEqual([]);
      const unreadable = (await broken.doListVms({}, context())).items.find((vm) => vm.id === 'hd-deep');
      expect(unreadable?.state).toMatchObject({ name: 'unknown', reason: 'unreadable-xml' });
      expect(JSON.stringify(unreadable?.raw)).toContain('cannot be read');
      expect((await broken.checkMigration('hd-deep', 'h1')).blockers.join(' ')).toContain('cannot be read');
    } finally {
      await driver.doDeleteVm('hd-deep', context());
    }
    await failure(driver.doGetVm('hd-deep', context())).then((error) => expect(error.code).toBe('NOT_FOUND'));
  });

  it("deletes only volumes named in the driver's own namespace, never a foreign <novacron>'s", async () => {
    const pool = await client().lookupStoragePool('default-pool');
    const victim = await client().createStorageVolume(
      pool,
      "<volume><name>hd-victim.qcow2</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target></volume>",
    );
    const foreign = `<domain type='test'><name>hd-foreign</name><memory unit='MiB'>64</memory><metadata><nc:novacron xmlns:nc="https://example.com/impostor"><nc:root-volume pool="default-pool" name="hd-victim.qcow2"/></nc:novacron></metadata><os><type>hvm</type></os></domain>`;
    await client().defineDomainXml(foreign);
    await driver.doDeleteVm('hd-foreign', context());
    expect((await client().lookupStorageVolume(pool, 'hd-victim.qcow2')).name).toBe('hd-victim.qcow2');
    await client().deleteStorageVolume(victim);
  });

  it('round-trips whitespace in the idempotency key and tag values exactly through libvirt', async () => {
    const tags = { spaced: '  a  b  ', lines: 'one\ntwo\r\nthree\tfour', blank: ' ' };
    const key = ' k ';
    const vm = await driver.doCreateVm(
      { name: 'hd-space', resources: { vcpus: 1, memoryMiB: 64 }, tags },
      createContext(key),
    );
    expect(vm.tags).toEqual(tags);
    expect((await driver.doGetVm('hd-space', context())).tags).toEqual(tags);
    const again = await driver.doCreateVm(
      { name: 'hd-space', resources: { vcpus: 1, memoryMiB: 64 }, tags },
      createContext(key),
    );
    expect(again.id).toBe('hd-space');
    const other = await failure(
      driver.doCreateVm(
        { name: 'hd-space', resources: { vcpus: 1, memoryMiB: 64 }, tags },
        createContext('k'),
      ),
    );
    expect(other.code).toBe('ALREADY_EXISTS');
    await driver.doDeleteVm('hd-space', context());
  });

  it('refuses a control character in a tag before the overlay is made, without echoing other tags', async () => {
    const error = await failure(
      driver.doCreateVm(
        {
          name: 'hd-control',
          resources: { vcpus: 1, memoryMiB: 64 },
          image: 'base',
          tags: { secret: 'token-abc', bad: 'x\u0001y' },
        },
        createContext(),
      ),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('tags.bad');
    expect(error.message).toContain("'bad'");
    expect(error.message).not.toContain('token-abc');
    expect(error.message).not.toContain('<domain');
    expect(await overlayExists('hd-control')).toBe(false);
  });

  it('removes the root overlay when a step after it fails', async () => {
    faulty.faults.set(
      'define',
      () =>
        new LibvirtError(
          { code: LibvirtErrorCode.XML_ERROR, domain: 20, level: 2, message: 'XML error: boom' },
          'DOMAIN_DEFINE_XML_FLAGS',
        ),
    );
    const error = await failure(
      driver.doCreateVm(
        { name: 'hd-overlay', resources: { vcpus: 1, memoryMiB: 64 }, image: 'base' },
        createContext(),
      ),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(await overlayExists('hd-overlay')).toBe(false);
  });

  it('finishes a create the daemon died in between define and start when retried with its key', async () => {
    const key = randomUUID();
    const spec = { name: 'hd-half', resources: { vcpus: 1, memoryMiB: 64 } };
    faulty.faults.set('create', died);
    faulty.faults.set('undefine', died);
    expect((await failure(driver.doCreateVm(spec, createContext(key)))).code).toBe('UNAVAILABLE');
    const vm = await driver.doCreateVm(spec, createContext(key));
    expect(vm.state.name).toBe('running');
    const plain = await failure(driver.doCreateVm(spec, createContext()));
    expect(plain.code).toBe('ALREADY_EXISTS');
    expect(plain.message).toContain(key);
    await driver.doDeleteVm('hd-half', context());
  });

  it('gives both of two clients creating with one key at once the one VM', async () => {
    // The second client has checked that nothing exists and is about to define when the first one finishes.
    const slow = new FaultyClient(daemon.uri('test'));
    const other = make({
      hosts: [
        { id: 'h1', uri: daemon.uri('test'), client: slow, overcommit: { vcpus: 100, memoryMiB: 100 } },
      ],
    });
    let release: () => void = () => undefined;
    const firstDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    let defining: () => void = () => undefined;
    const secondDefining = new Promise<void>((resolve) => {
      defining = resolve;
    });
    slow.beforeDefine = async () => {
      defining();
      await firstDone;
    };
    const key = randomUUID();
    const spec = { name: 'hd-race', resources: { vcpus: 1, memoryMiB: 64 } };
    const second = other.doCreateVm(spec, createContext(key));
    await secondDefining;
    const first = driver.doCreateVm(spec, createContext(key)).finally(release);
    const results = await Promise.allSettled([first, second]);
    await slow.close();
    expect(
      results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'fulfilled')),
    ).toEqual(['fulfilled', 'fulfilled']);
    expect(results.map((result) => (result as PromiseFulfilledResult<ProviderVm>).value.id)).toEqual([
      'hd-race',
      'hd-race',
    ]);
    await driver.doDeleteVm('hd-race', context());
  });

  it('never makes a second VM for one key: another spec or name is CONFLICT', async () => {
    const key = randomUUID();
    await driver.doCreateVm({ name: 'hd-key', resources: { vcpus: 1, memoryMiB: 64 } }, createContext(key));
    const renamed = await failure(
      driver.doCreateVm({ name: 'hd-key-2', resources: { vcpus: 1, memoryMiB: 64 } }, createContext(key)),
    );
    expect(renamed.code).toBe('CONFLICT');
    expect(renamed.message).toContain('hd-key');
    const resized = await failure(
      driver.doCreateVm({ name: 'hd-key', resources: { vcpus: 2, memoryMiB: 64 } }, createContext(key)),
    );
    expect(resized.code).toBe('CONFLICT');
    await failure(driver.doGetVm('hd-key-2', context())).then((error) =>
      expect(error.code).toBe('NOT_FOUND'),
    );
    expect(
      (
        await driver.doCreateVm(
          { name: 'hd-key', resources: { vcpus: 1, memoryMiB: 64 } },
          createContext(key),
        )
      ).id,
    ).toBe('hd-key');
    await driver.doDeleteVm('hd-key', context());
  });

  it('reports current vCPUs and memory of a ballooned guest, the maximums and the MACs of its NICs', async () => {
    const xml = `<domain type='test'><name>hd-balloon</name><memory unit='MiB'>128</memory><currentMemory unit='MiB'>64</currentMemory><vcpu current='1'>2</vcpu><os><type>hvm</type></os><devices><interface type='network'><mac address='52:54:00:AB:cd:01'/><source network='default'/></interface></devices></domain>`;
    await client().defineDomainXml(xml);
    const vm = await driver.doGetVm('hd-balloon', context());
    expect(vm.resources).toEqual({ vcpus: 1, memoryMiB: 64 });
    expect(vm.raw).toMatchObject({
      maximum: { vcpus: 2, memoryMiB: 128 },
      interfaces: [{ type: 'network', mac: '52:54:00:ab:cd:01', source: 'default' }],
    });
    expect(vm.networkInterfaces).toEqual([{ mac: '52:54:00:ab:cd:01', network: 'default', kind: 'network' }]);
    await driver.doDeleteVm('hd-balloon', context());
  });

  describe('with one host of the fleet down', () => {
    let fleet: KvmDriver;

    beforeAll(async () => {
      fleet = make({
        hosts: [
          { id: 'h1', uri: daemon.uri('test'), overcommit: { vcpus: 100, memoryMiB: 100 } },
          { id: 'h-down', uri: 'test+unix:///default?socket=/tmp/novacron-kvm/no-such-daemon.sock' },
        ],
      });
      await fleet.init({ signal: new AbortController().signal });
    });

    it("delivers the reachable hosts' VMs, then ends with a non-retryable UNAVAILABLE naming the failed host", async () => {
      await fleet.doCreateVm(
        { name: 'hd-fleet-a', resources: { vcpus: 1, memoryMiB: 64 }, location: { hostId: 'h1' } },
        createContext(),
      );
      await fleet.doCreateVm({ name: 'hd-fleet-b', resources: { vcpus: 1, memoryMiB: 64 } }, createContext());
      const seen: string[] = [];
      let cursor: string | undefined;
      let ending: NovaCronError | undefined;
      for (let pages = 0; pages < 20; pages += 1) {
        const page = await fleet
          .doListVms({ pageSize: 1, ...(cursor === undefined ? {} : { cursor }) }, context())
          .catch((error: unknown) => {
            ending = error as NovaCronError;
            return undefined;
          });
        if (page === undefined) break;
        seen.push(...page.items.map((vm) => vm.id));
        cursor = page.nextCursor;
        if (cursor === undefined) break;
      }
      expect(seen).toEqual(expect.arrayContaining(['hd-fleet-a', 'hd-fleet-b']));
      expect(NovaCronError.isInstance(ending)).toBe(true);
      expect(ending?.code).toBe('UNAVAILABLE');
      expect(ending?.retryable).toBe(false);
      expect(ending?.message).toContain("'h-down'");
      await failure(
        fleet.doCreateVm(
          { name: 'hd-fleet-c', resources: { vcpus: 1, memoryMiB: 64 }, location: { hostId: 'h-down' } },
          createContext(),
        ),
      ).then((error) => expect(error.code).toBe('UNAVAILABLE'));
      await fleet.doDeleteVm('hd-fleet-a', context());
      await fleet.doDeleteVm('hd-fleet-b', context());
    });
  });
});

/** A client that hands back XML NovaCron cannot read for one domain (as a hostile or broken daemon might). */
class BrokenXmlClient extends LibvirtClient {
  constructor(
    uri: string,
    private readonly brokenName: string,
  ) {
    super(uri);
  }

  override async getDomainXml(domain: DomainRef, flags?: number, signal?: AbortSignal): Promise<string> {
    const xml = await super.getDomainXml(domain, flags, signal);
    return domain.name === this.brokenName ? `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}` : xml;
  }
}
