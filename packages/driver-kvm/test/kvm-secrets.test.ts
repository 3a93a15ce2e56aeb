import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createNovaCron, NovaCronError } from '@novacron/core';
import { findSecrets, recordOperationEvents } from '@novacron/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvmDriver, type KvmDriver, type KvmDriverOptions } from '../src/index.js';
import { type DomainRef, LibvirtClient, LibvirtError, LibvirtErrorCode } from '../src/libvirt/index.js';
import {
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';
import { makePki } from './support/test-pki.js';

// Recognisable fake secrets, planted where KVM users put real ones: TLS key material, passwords and key files in
// URIs. None of them may come back in an error, its cause chain or an operation event, however it is printed.
const FAKE_KEY_MARKER = 'NOVACRONFAKEKEY';
const FAKE_KEY = `-----BEGIN PRIVATE KEY-----\n${FAKE_KEY_MARKER}0123456789abcdefABCDEF\n-----END PRIVATE KEY-----\n`;
const FAKE_PASSWORD = 'NOVACRONFAKEPASSWORD';
const FAKE_KEYFILE = '/tmp/novacron-fake-key';
const SECRET_QUERY = `keyfile=${FAKE_KEYFILE}&password=${FAKE_PASSWORD}`;

/** A port nothing listens on (bound, read, released). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every printed form of `value` and of each error in its cause chain (AggregateErrors' members too). */
function expectNoSecrets(value: unknown, secrets: readonly string[], what: string): void {
  expect(findSecrets(value, secrets), `${what} shows a planted secret`).toEqual([]);
}

/**
 * Runs the calls a user makes through a NovaCron client on a driver whose hosts fail, recording every
 * `operation.*` event; the failures, the events and the host list are then searched for the secrets.
 */
async function exercise(driver: KvmDriver, secrets: readonly string[]): Promise<NovaCronError[]> {
  const nc = createNovaCron({
    providers: { lab: driver },
    limits: { default: { timeoutMs: 20_000, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } } },
  });
  const events = recordOperationEvents(nc.events);
  const errors: unknown[] = [];
  const attempt = async (run: () => Promise<unknown>): Promise<void> => {
    await run().then(
      (result) => expectNoSecrets(result, secrets, 'a result'),
      (error: unknown) => errors.push(error),
    );
  };
  await attempt(() => nc.vms.get('lab:web-1'));
  await attempt(() => nc.vms.list({ provider: 'lab' }).toArray());
  await attempt(() =>
    nc.vms.create({ provider: 'lab', name: 'web-1', resources: { vcpus: 1, memoryMiB: 64 } }),
  );
  await attempt(() => nc.vms.stop('lab:web-1'));
  await attempt(() => nc.hosts.list({ provider: 'lab' }).toArray());
  await nc.close();
  expect(errors.length).toBeGreaterThan(0);
  expect(events.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(NovaCronError.isInstance(error), `expected a NovaCronError, got ${String(error)}`).toBe(true);
    expectNoSecrets(error, secrets, 'an error');
  }
  expectNoSecrets(events, secrets, 'an operation event');
  return errors as NovaCronError[];
}

/** The NovaCronError `promise` rejects with (a resolution fails the test). */
async function rejection(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(NovaCronError.isInstance(error), `expected a NovaCronError, got ${String(error)}`).toBe(true);
  return error as NovaCronError;
}

const callContext = () => ({ signal: new AbortController().signal, operationId: 'secrets', attempt: 1 });

function make(options: KvmDriverOptions): KvmDriver {
  return createKvmDriver({ domainType: 'test', ...options });
}

describe('planted secrets never reach errors, causes or events', () => {
  let pki: string;
  let server: TlsServer;
  let tlsPort: number;
  let clientKey: string;

  beforeAll(async () => {
    pki = mkdtempSync('/tmp/novacron-kvm-secrets-');
    // The client trusts its own certificate only, so the server's (from the test CA) is refused.
    makePki(pki);
    clientKey = readFileSync(join(pki, 'clientkey.pem'), 'utf8');
    server = createTlsServer({
      key: readFileSync(join(pki, 'serverkey.pem')),
      cert: readFileSync(join(pki, 'servercert.pem')),
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tlsPort = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (pki !== undefined) rmSync(pki, { recursive: true, force: true });
  });

  it('on a refused TCP connection with a password and key file in the URI', async () => {
    const port = await closedPort();
    const driver = make({
      hosts: [
        {
          id: 'tcp-refused',
          uri: `qemu+tcp://novacron:${FAKE_PASSWORD}@127.0.0.1:${port}/system?${SECRET_QUERY}`,
        },
      ],
    });
    const errors = await exercise(driver, [FAKE_PASSWORD, FAKE_KEYFILE]);
    expect(errors.some((error) => error.message.includes("'tcp-refused'"))).toBe(true);
    expect(errors.some((error) => error.code === 'UNAVAILABLE')).toBe(true);
  });

  it('on a TLS host with planted key material, refused before any byte is sent', async () => {
    const port = await closedPort();
    const driver = make({
      hosts: [{ id: 'tls-refused', uri: `qemu+tls://127.0.0.1:${port}/system?password=${FAKE_PASSWORD}` }],
      client: { tls: { key: FAKE_KEY, cert: FAKE_KEY, ca: FAKE_KEY } },
    });
    await exercise(driver, [FAKE_KEY_MARKER, FAKE_PASSWORD]);
  });

  it('on a TLS server whose certificate is not trusted, with a real client key configured', async () => {
    // A line from the middle of the key's base64 body: any echo of the key would contain it.
    const keyLine = clientKey.split('\n')[5] as string;
    expect(keyLine.length).toBeGreaterThan(40);
    const driver = make({
      hosts: [{ id: 'tls-untrusted', uri: `qemu+tls://localhost:${tlsPort}/system?${SECRET_QUERY}` }],
      client: {
        tls: {
          key: clientKey,
          cert: readFileSync(join(pki, 'clientcert.pem'), 'utf8'),
          ca: readFileSync(join(pki, 'clientcert.pem'), 'utf8'),
        },
      },
    });
    const errors = await exercise(driver, [keyLine, FAKE_PASSWORD, FAKE_KEYFILE]);
    expect(errors.some((error) => error.code === 'AUTH')).toBe(true);
  });

  it('on an ssh tunnel that cannot connect, with a key file and password in the URI', async () => {
    const port = await closedPort();
    const driver = make({
      hosts: [{ id: 'ssh-refused', uri: `qemu+ssh://root@127.0.0.1:${port}/system?${SECRET_QUERY}` }],
      client: { ssh: { extraArgs: ['-o', 'ConnectTimeout=5', '-o', 'StrictHostKeyChecking=no'] } },
    });
    await exercise(driver, [FAKE_PASSWORD, FAKE_KEYFILE]);
  });

  describe.skipIf(!libvirtAvailable())('on libvirt errors from a real daemon', () => {
    let daemon: LibvirtDaemon;

    beforeAll(async () => {
      daemon = await startLibvirtDaemon({ name: 'secrets' });
    });

    afterAll(async () => {
      await daemon?.stop();
    });

    it('keeps a URI libvirt quotes out of the message and the cause, and never hands out the RPC error', async () => {
      // libvirt quotes URIs in some errors (a peer it cannot reach): modelled by a client that says so.
      const peer = `qemu+tls://admin:${FAKE_PASSWORD}@peer.example/system?${SECRET_QUERY}`;
      class QuotingClient extends LibvirtClient {
        override async lookupDomainByName(name: string, signal?: AbortSignal): Promise<DomainRef> {
          if (name === 'web-1') {
            throw new LibvirtError(
              {
                code: LibvirtErrorCode.OPERATION_FAILED,
                domain: 10,
                level: 2,
                message: `operation failed: unable to connect to '${peer}': ${FAKE_KEY}`,
              },
              'DOMAIN_LOOKUP_BY_NAME',
            );
          }
          return super.lookupDomainByName(name, signal);
        }
      }
      const uri = `${daemon.uri('test')}&password=${FAKE_PASSWORD}`;
      const client = new QuotingClient(uri);
      const driver = make({ hosts: [{ id: 'daemon', uri, client }] });
      const errors = await exercise(driver, [FAKE_PASSWORD, FAKE_KEY_MARKER, FAKE_KEYFILE]);
      const lookup = errors.find((error) => error.message.includes('operation failed'));
      if (lookup === undefined) throw new Error('expected the lookup to fail with the quoting error');
      expect(lookup.code).toBe('PROVIDER');
      expect(lookup.cause).toBeInstanceOf(Error);
      expect((lookup.cause as Error).name).toBe('ProviderError');
      expect((lookup.cause as Error).cause).toBeUndefined();
      await client.close();
    });

    it('in a fleet where one host answers and one with planted secrets does not', async () => {
      const port = await closedPort();
      const driver = make({
        hosts: [
          { id: 'daemon', uri: daemon.uri('test') },
          {
            id: 'tcp-down',
            uri: `qemu+tcp://novacron:${FAKE_PASSWORD}@127.0.0.1:${port}/system?${SECRET_QUERY}`,
          },
        ],
        client: { tls: { key: FAKE_KEY } },
      });
      // Straight from the driver: a listing of the failed host alone ends at once, with its failure as cause.
      const direct = await rejection(driver.doListVms({ filter: { hostId: 'tcp-down' } }, callContext()));
      expect(direct.code).toBe('UNAVAILABLE');
      expect(NovaCronError.isInstance(direct.cause)).toBe(true);
      expect(((direct.cause as Error).cause as Error).name).toBe('ProviderError');
      expectNoSecrets(direct, [FAKE_PASSWORD, FAKE_KEYFILE, FAKE_KEY_MARKER], 'a listing error');
      const errors = await exercise(driver, [FAKE_PASSWORD, FAKE_KEYFILE, FAKE_KEY_MARKER]);
      // The listing ends naming the host that failed; its cause is the mapped failure, not the socket's error.
      const listing = errors.find((error) => error.message.includes('could not be listed'));
      if (listing === undefined) throw new Error('expected the listing to end naming the failed host');
      expect(listing.message).toContain("'tcp-down'");
      expect(listing.retryable).toBe(false);
    });

    it('maps a missing VM to NOT_FOUND whose cause is a ProviderError, not the RPC error', async () => {
      const driver = make({ hosts: [{ id: 'daemon', uri: daemon.uri('test') }] });
      const error = await rejection(driver.doGetVm('no-such-vm', callContext()));
      expect(error.code).toBe('NOT_FOUND');
      expect((error.cause as Error).name).toBe('ProviderError');
      expect((error.cause as { providerCode?: string }).providerCode).toContain('libvirt error 42');
      expect(error.cause).not.toBeInstanceOf(LibvirtError);
      await driver.close();
    });
  });
});
