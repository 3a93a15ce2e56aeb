import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NovaCronError } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver } from '../src/index.js';
import { LibvirtClient } from '../src/libvirt/index.js';
import {
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';
import { makePki } from './support/test-pki.js';

const TCP_PORT = 16609;
const TLS_PORT = 16614;

describe.skipIf(!libvirtAvailable())('transports: tcp, tls with client certificates, ssh tunnel', () => {
  let daemon: LibvirtDaemon;
  let pki: string;

  beforeAll(async () => {
    pki = mkdtempSync('/tmp/novacron-kvm-pki-');
    makePki(pki);
    daemon = await startLibvirtDaemon({
      name: 'transports',
      tcpPort: TCP_PORT,
      tls: {
        port: TLS_PORT,
        caFile: join(pki, 'cacert.pem'),
        certFile: join(pki, 'servercert.pem'),
        keyFile: join(pki, 'serverkey.pem'),
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    if (pki !== undefined) rmSync(pki, { recursive: true, force: true });
  });

  it('speaks the protocol over plain TCP (qemu+tcp://, test+tcp://)', async () => {
    const client = new LibvirtClient(`test+tcp://127.0.0.1:${TCP_PORT}/default`);
    expect((await client.listAllDomains()).map((domain) => domain.name)).toContain('test');
    await client.close();
    const qemu = new LibvirtClient(`qemu+tcp://127.0.0.1:${TCP_PORT}/system`);
    expect((await qemu.nodeGetInfo()).cpus).toBeGreaterThan(0);
    await qemu.close();
  });

  it('speaks TLS with client certificates from pkipath, and is refused without them', async () => {
    const client = new LibvirtClient(`test+tls://localhost:${TLS_PORT}/default?pkipath=${pki}`);
    expect((await client.lookupDomainByName('test')).name).toBe('test');
    await client.close();
    const driver = createKvmDriver({
      hosts: [{ id: 'tls', uri: `test+tls://localhost:${TLS_PORT}/default` }],
      domainType: 'test',
      client: { tls: { ca: readFileSync(join(pki, 'cacert.pem')) } },
    });
    // No client certificate: the daemon refuses the client; the driver says AUTH (not retryable) and names the host.
    const refused = await driver
      .doGetVm('test', { signal: new AbortController().signal, operationId: randomUUID(), attempt: 1 })
      .catch((caught: unknown) => caught);
    expect(NovaCronError.isInstance(refused) && refused.code).toBe('AUTH');
    expect((refused as NovaCronError).retryable).toBe(false);
    expect((refused as Error).message).toContain("KVM host 'tls'");
    await driver.close();
    // A server certificate from an unknown CA is refused too, before any libvirt byte is sent.
    const untrusted = new LibvirtClient(`test+tls://localhost:${TLS_PORT}/default`, {
      tls: {
        ca: readFileSync(join(pki, 'clientcert.pem')),
        cert: readFileSync(join(pki, 'clientcert.pem')),
        key: readFileSync(join(pki, 'clientkey.pem')),
      },
    });
    const distrust = await untrusted.listAllDomains().catch((caught: unknown) => caught);
    expect(distrust).toMatchObject({ name: 'LibvirtConnectionError', refused: true });
    await untrusted.close();
  });

  it('tunnels through the ssh client to virt-ssh-helper on the remote end (qemu+ssh://)', async () => {
    // A stand-in for `ssh host command`: runs the remote command inside the daemon's mount namespace, where
    // /run/libvirt/libvirt-sock is that daemon's socket, exactly as sshd would run it on a real host.
    const fakeSsh = join(pki, 'fake-ssh');
    writeFileSync(
      fakeSsh,
      `#!/bin/bash\nexec nsenter --mount --target ${daemon.libvirtdPid()} -- /bin/sh -c "\${@: -1}"\n`,
    );
    chmodSync(fakeSsh, 0o755);
    const client = new LibvirtClient('qemu+ssh://root@kvm-host-1/system', { ssh: { command: fakeSsh } });
    expect((await client.nodeGetInfo()).cpus).toBeGreaterThan(0);
    expect(await client.listAllDomains()).toEqual([]);
    await client.close();
    const broken = new LibvirtClient('qemu+ssh://root@kvm-host-1/system', { ssh: { command: '/bin/false' } });
    const error = await broken.nodeGetInfo().catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/ssh to kvm-host-1 exited with code 1/);
    await broken.close();
  });
});
