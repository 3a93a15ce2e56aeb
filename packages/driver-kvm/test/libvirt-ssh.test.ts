import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { NovaCronError } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver } from '../src/index.js';
import { LibvirtClient } from '../src/libvirt/index.js';
import {
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';
import { sshdAvailable, startSshd, type TestSshd } from './support/sshd-harness.js';

const context = () => ({ signal: new AbortController().signal, operationId: randomUUID(), attempt: 1 });

describe.skipIf(!libvirtAvailable() || !sshdAvailable())(
  'qemu+ssh:// through a real ssh client and sshd',
  () => {
    let daemon: LibvirtDaemon;
    let sshd: TestSshd | undefined;
    let directory: string;

    beforeAll(async () => {
      directory = mkdtempSync('/tmp/novacron-kvm-ssh-');
      daemon = await startLibvirtDaemon({ name: 'ssh' });
      sshd = await startSshd({ directory, namespacePid: daemon.libvirtdPid() });
    });

    afterAll(async () => {
      await sshd?.stop();
      await daemon?.stop();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    });

    const base = (): string => `root@127.0.0.1:${sshd?.port}`;
    const keys = (keyFile = sshd?.keyFile): string =>
      `keyfile=${keyFile}&known_hosts=${sshd?.knownHostsFile}`;

    it('opens qemu:///system through virt-ssh-helper on the remote end and lists domains', async () => {
      const client = new LibvirtClient(`qemu+ssh://${base()}/system?${keys()}`);
      expect((await client.nodeGetInfo()).cpus).toBeGreaterThan(0);
      expect(await client.listAllDomains()).toEqual([]);
      await client.close();
    });

    it('opens the test driver through `nc -U` when the URI names the socket', async () => {
      const client = new LibvirtClient(`test+ssh://${base()}/default?${keys()}&socket=${daemon.socketPath}`);
      expect((await client.listAllDomains()).map((domain) => domain.name)).toEqual(['test']);
      await client.close();
      const driver = createKvmDriver({
        hosts: [
          { id: 'ssh-host', uri: `test+ssh://${base()}/default?${keys()}&socket=${daemon.socketPath}` },
        ],
        domainType: 'test',
      });
      expect((await driver.doGetVm('test', context())).id).toBe('test');
      await driver.close();
    });

    it('fails with AUTH and says why when sshd refuses the key', async () => {
      const client = new LibvirtClient(`qemu+ssh://${base()}/system?${keys(sshd?.wrongKeyFile)}`);
      const error = await client.nodeGetInfo().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'LibvirtConnectionError', refused: true });
      expect((error as Error).message).toMatch(
        /ssh to 127\.0\.0\.1 exited with code 255: .*Permission denied/s,
      );
      await client.close();
      const driver = createKvmDriver({
        hosts: [{ id: 'wrong-key', uri: `qemu+ssh://${base()}/system?${keys(sshd?.wrongKeyFile)}` }],
      });
      const refused = await driver.doGetVm('nope', context()).catch((caught: unknown) => caught);
      expect(NovaCronError.isInstance(refused) && refused.code).toBe('AUTH');
      expect((refused as NovaCronError).retryable).toBe(false);
      expect((refused as Error).message).toContain("KVM host 'wrong-key'");
      expect((refused as Error).message).toContain('Permission denied');
      await driver.close();
    });

    it('fails with AUTH when the host key is not the one in known_hosts', async () => {
      // An empty known_hosts under BatchMode: ssh cannot ask, so it refuses the host.
      const client = new LibvirtClient(
        `qemu+ssh://${base()}/system?keyfile=${sshd?.keyFile}&known_hosts=/dev/null`,
      );
      const error = await client.nodeGetInfo().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'LibvirtConnectionError', refused: true });
      expect((error as Error).message).toMatch(/Host key verification failed/);
      await client.close();
      // no_verify=1 skips the check, as libvirt documents it.
      const unverified = new LibvirtClient(
        `qemu+ssh://${base()}/system?keyfile=${sshd?.keyFile}&known_hosts=/dev/null&no_verify=1`,
      );
      expect(await unverified.listAllDomains()).toEqual([]);
      await unverified.close();
    });
  },
);
