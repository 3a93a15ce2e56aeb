import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../src/libvirt/index.js';
import { libvirtAvailable } from './support/libvirt-daemon-harness.js';
import {
  processUid,
  type SessionDaemon,
  sessionDaemonAvailable,
  startSessionDaemon,
} from './support/session-daemon-harness.js';
import { tinyGuestXml } from './support/tiny-guest.js';

describe.skipIf(!libvirtAvailable() || !sessionDaemonAvailable())(
  'qemu:///session (a per-user libvirtd)',
  () => {
    let session: SessionDaemon | undefined;

    beforeAll(async () => {
      session = await startSessionDaemon();
    });

    afterAll(async () => {
      await session?.stop();
    });

    it('opens the session daemon of an unprivileged user and keeps domains in that user’s home', async () => {
      if (session === undefined) throw new Error('no session daemon');
      expect(processUid(session.pid)).not.toBe(0);
      const client = new LibvirtClient(`qemu+unix:///session?socket=${session.socketPath}`);
      expect(await client.listAllDomains()).toEqual([]);
      // The session user cannot use /dev/kvm here: define a TCG guest (defined only, never started).
      const domain = await client.defineDomainXml(
        tinyGuestXml('nc-session-guest').replace("<domain type='kvm'>", "<domain type='qemu'>"),
      );
      expect((await client.listAllDomains()).map((entry) => entry.name)).toEqual(['nc-session-guest']);
      expect(existsSync(join(session.home, '.config/libvirt/qemu/nc-session-guest.xml'))).toBe(true);
      await client.undefineDomain(domain);
      await client.close();
    });

    it('finds the socket from XDG_RUNTIME_DIR for plain qemu:///session, as libvirt does', async () => {
      if (session === undefined) throw new Error('no session daemon');
      const previous = process.env.XDG_RUNTIME_DIR;
      process.env.XDG_RUNTIME_DIR = session.runtimeDirectory;
      try {
        const client = new LibvirtClient('qemu:///session');
        expect(await client.listAllDomains()).toEqual([]);
        expect((await client.nodeGetInfo()).cpus).toBeGreaterThan(0);
        await client.close();
      } finally {
        if (previous === undefined) delete process.env.XDG_RUNTIME_DIR;
        else process.env.XDG_RUNTIME_DIR = previous;
      }
    });
  },
);
