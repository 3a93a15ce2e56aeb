import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainLifecycleEvent,
  DomainMetadataType,
  DomainModificationImpact,
  DomainState,
  DomainStatsGroup,
  domainStateReasonName,
  formatUuid,
  LibvirtClient,
  LibvirtError,
  LibvirtErrorCode,
  type LifecycleEvent,
  ListDomainsFlag,
} from '../src/libvirt/index.js';
import {
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';
import { tinyGuestXml } from './support/tiny-guest.js';

const available = libvirtAvailable();

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!available)('LibvirtClient against a real libvirtd', () => {
  let daemon: LibvirtDaemon;
  let test: LibvirtClient;
  let qemu: LibvirtClient;

  beforeAll(async () => {
    daemon = await startLibvirtDaemon({ name: 'client' });
    test = new LibvirtClient(daemon.uri('test'));
    qemu = new LibvirtClient(daemon.uri('qemu'));
  });

  afterAll(async () => {
    await test?.close();
    await qemu?.close();
    await daemon?.stop();
  });

  describe('the test driver (test:///default hosted by the daemon)', () => {
    it('lists domains and reads node info, state and info', async () => {
      const domains = await test.listAllDomains();
      expect(domains.map((domain) => domain.name)).toContain('test');
      const node = await test.nodeGetInfo();
      expect(node.cpus).toBeGreaterThan(0);
      const domain = await test.lookupDomainByName('test');
      expect(formatUuid(domain.uuid)).toMatch(/^[0-9a-f-]{36}$/);
      expect(await test.lookupDomainByUuid(domain.uuid)).toMatchObject({ name: 'test' });
      expect(await test.getDomainState(domain)).toEqual({ state: DomainState.RUNNING, reason: 0 });
      const info = await test.getDomainInfo(domain);
      expect(info.vcpus).toBeGreaterThan(0);
      expect(await test.getDomainXml(domain)).toContain('<name>test</name>');
    });

    it('lists domains by state class with the list flags', async () => {
      const defined = await test.defineDomainXml(
        tinyGuestXml('by-state').replace(/type='(kvm|qemu)'/, "type='test'"),
      );
      try {
        const names = async (flag: number) => (await test.listAllDomains(flag)).map((domain) => domain.name);
        expect(await names(ListDomainsFlag.RUNNING)).toContain('test');
        expect(await names(ListDomainsFlag.SHUTOFF)).toContain('by-state');
        expect(await names(ListDomainsFlag.SHUTOFF)).not.toContain('test');
        expect(await names(ListDomainsFlag.PAUSED)).not.toContain('by-state');
      } finally {
        await test.undefineDomain(defined);
      }
    });

    it("keeps libvirt's error code, domain and message", async () => {
      const error = await test.lookupDomainByName('no-such-domain').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LibvirtError);
      expect(error).toMatchObject({ code: LibvirtErrorCode.NO_DOMAIN, procedure: 'DOMAIN_LOOKUP_BY_NAME' });
      expect((error as LibvirtError).domain).toBeGreaterThan(0);
      expect((error as LibvirtError).message).toMatch(/not found/i);
    });

    it('defines, starts, suspends, resumes, destroys and undefines a domain, with lifecycle events', async () => {
      const events: LifecycleEvent[] = [];
      const unsubscribe = await test.onDomainEvent('lifecycle', (event) => {
        if (event.domain.name === 'client-a') events.push(event);
      });
      const xml = tinyGuestXml('client-a')
        .replace("type='kvm'", "type='test'")
        .replace("type='qemu'", "type='test'");
      const defined = await test.defineDomainXml(xml);
      expect((await test.getDomainState(defined)).state).toBe(DomainState.SHUTOFF);
      const started = await test.createDomain(defined);
      expect(started.id).toBeGreaterThan(0);
      await test.suspendDomain(started);
      const paused = await test.getDomainState(started);
      expect(paused.state).toBe(DomainState.PAUSED);
      expect(domainStateReasonName(paused.state, paused.reason)).toBe('user');
      await test.resumeDomain(started);
      await test.destroyDomain(started);
      await test.undefineDomain(started);
      await until(() => events.length >= 6, 'six lifecycle events');
      expect(events.map((event) => event.event)).toEqual([
        DomainLifecycleEvent.DEFINED,
        DomainLifecycleEvent.STARTED,
        DomainLifecycleEvent.SUSPENDED,
        DomainLifecycleEvent.RESUMED,
        DomainLifecycleEvent.STOPPED,
        DomainLifecycleEvent.UNDEFINED,
      ]);
      await unsubscribe();
    });

    it('sets a metadata element (virDomainSetMetadata) in the namespace and definition it is given', async () => {
      const uri = 'https://example.com/xmlns/client';
      const xml = tinyGuestXml('client-md')
        .replace("type='kvm'", "type='test'")
        .replace("type='qemu'", "type='test'");
      const defined = await test.defineDomainXml(xml);
      const element = (value: string) => ({
        type: DomainMetadataType.ELEMENT,
        metadata: `<app><owner value="${value}"/></app>`,
        key: 'app',
        uri,
      });
      // Shut off: only the persistent definition can change; LIVE is "operation invalid".
      const live = await test.setDomainMetadata(defined, element('x'), DomainModificationImpact.LIVE).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(live).toMatchObject({ code: LibvirtErrorCode.OPERATION_INVALID });
      await test.setDomainMetadata(defined, element('ops'), DomainModificationImpact.CONFIG);
      expect(await test.getDomainXml(defined)).toContain(`<app:app xmlns:app="${uri}">`);
      expect(await test.getDomainXml(defined)).toContain('<app:owner value="ops"/>');
      const started = await test.createDomain(defined);
      await test.setDomainMetadata(
        started,
        element('dev'),
        DomainModificationImpact.LIVE | DomainModificationImpact.CONFIG,
      );
      expect(await test.getDomainXml(started)).toContain('<app:owner value="dev"/>');
      expect(await test.getDomainXml(started, 2)).toContain('<app:owner value="dev"/>');
      await test.setDomainMetadata(
        started,
        { ...element(''), metadata: null },
        DomainModificationImpact.LIVE,
      );
      expect(await test.getDomainXml(started)).not.toContain('app:owner');
      expect(await test.getDomainXml(started, 2)).toContain('<app:owner value="dev"/>');
      await test.destroyDomain(started);
      await test.undefineDomain(started);
    });

    it('keeps delivering events when a listener throws', async () => {
      const seen: string[] = [];
      const stopThrowing = await test.onDomainEvent('lifecycle', () => {
        throw new Error('listener bug');
      });
      const stopSeeing = await test.onDomainEvent('lifecycle', (event) => seen.push(event.domain.name));
      const domain = await test.lookupDomainByName('test');
      await test.suspendDomain(domain);
      await test.resumeDomain(domain);
      await until(() => seen.length >= 2, 'two events past a throwing listener');
      expect(await test.getDomainState(domain)).toEqual({
        state: DomainState.RUNNING,
        reason: expect.any(Number),
      });
      await stopThrowing();
      await stopSeeing();
    });

    it('multiplexes 1,000 concurrent calls on one connection', async () => {
      const domain = await test.lookupDomainByName('test');
      const states = await Promise.all(Array.from({ length: 1000 }, () => test.getDomainState(domain)));
      expect(states.every((state) => state.state === DomainState.RUNNING)).toBe(true);
    });

    it('reads all-domain stats', async () => {
      const records = await test.getAllDomainStats([], DomainStatsGroup.STATE);
      const record = records.find((entry) => entry.domain.name === 'test');
      expect(record?.stats['state.state']).toBe(DomainState.RUNNING);
    });

    it('creates, lists, reverts and deletes snapshots', async () => {
      const domain = await test.lookupDomainByName('test');
      const snapshot = await test.createSnapshot(
        domain,
        '<domainsnapshot><name>snap-1</name></domainsnapshot>',
      );
      expect(snapshot.name).toBe('snap-1');
      expect((await test.listSnapshots(domain)).map((entry) => entry.name)).toContain('snap-1');
      expect((await test.lookupSnapshot(domain, 'snap-1')).domain.name).toBe('test');
      await test.revertToSnapshot(snapshot);
      await test.deleteSnapshot(snapshot);
      expect((await test.listSnapshots(domain)).map((entry) => entry.name)).not.toContain('snap-1');
    });

    it('creates a qcow2 overlay volume on a base volume and deletes it', async () => {
      const pool = await test.lookupStoragePool('default-pool');
      const base = await test.createStorageVolume(
        pool,
        "<volume><name>base.img</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>",
      );
      const basePath = await test.getStorageVolumePath(base);
      const overlay = await test.createStorageVolume(
        pool,
        `<volume><name>overlay.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target><backingStore><path>${basePath}</path><format type='qcow2'/></backingStore></volume>`,
      );
      expect((await test.lookupStorageVolume(pool, 'overlay.qcow2')).name).toBe('overlay.qcow2');
      await test.deleteStorageVolume(overlay);
      await test.deleteStorageVolume(base);
      const gone = await test.lookupStorageVolume(pool, 'overlay.qcow2').catch((caught: unknown) => caught);
      expect(gone).toMatchObject({ code: LibvirtErrorCode.NO_STORAGE_VOL });
    });
  });

  describe('a tiny qemu guest', () => {
    it('runs the lifecycle with events, state reasons and all-domain stats', async () => {
      const events: LifecycleEvent[] = [];
      const unsubscribe = await qemu.onDomainEvent('lifecycle', (event) => events.push(event));
      const defined = await qemu.defineDomainXml(tinyGuestXml('client-qemu'));
      try {
        const running = await qemu.createDomain(defined);
        expect(await qemu.getDomainState(running)).toEqual({ state: DomainState.RUNNING, reason: 1 });
        await qemu.suspendDomain(running);
        expect(await qemu.getDomainState(running)).toEqual({ state: DomainState.PAUSED, reason: 1 });
        await qemu.resumeDomain(running);
        const [record] = await qemu.getAllDomainStats([running]);
        expect(record?.stats['state.state']).toBe(DomainState.RUNNING);
        expect(typeof record?.stats['cpu.time']).toBe('bigint');
        const invalid = await qemu.resumeDomain(running).catch((caught: unknown) => caught);
        expect(invalid).toMatchObject({ code: LibvirtErrorCode.OPERATION_INVALID });
        await qemu.destroyDomain(running);
        const stopped = await qemu.getDomainState(running);
        expect(domainStateReasonName(stopped.state, stopped.reason)).toBe('destroyed');
        await until(
          () => events.some((event) => event.event === DomainLifecycleEvent.STOPPED),
          'stopped event',
        );
        expect(events.map((event) => event.event)).toEqual(
          expect.arrayContaining([DomainLifecycleEvent.STARTED, DomainLifecycleEvent.SUSPENDED]),
        );
      } finally {
        await qemu.destroyDomain(defined).catch(() => undefined);
        await qemu.undefineDomain(defined).catch(() => undefined);
        await unsubscribe();
      }
    });
  });
});
