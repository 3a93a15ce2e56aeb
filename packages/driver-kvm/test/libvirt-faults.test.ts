import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { NovaCronError } from '@novacron/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createKvmDriver } from '../src/index.js';
import {
  encodeFrame,
  LibvirtClient,
  LibvirtConnectionError,
  type LibvirtFrame,
  LibvirtFrameDecoder,
  LibvirtProtocolError,
  MessageStatus,
  MessageType,
  Procedure,
  REMOTE_PROGRAM,
  XdrWriter,
} from '../src/libvirt/index.js';
import {
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from './support/libvirt-daemon-harness.js';

const context = () => ({ signal: new AbortController().signal, operationId: randomUUID(), attempt: 1 });

function reply(call: LibvirtFrame, body: Buffer, status: number = MessageStatus.OK): Buffer {
  return encodeFrame({ ...call, type: MessageType.REPLY, status }, body);
}

/**
 * A fake daemon for fault scripts only: it answers the connection handshake like libvirtd, then lets the test
 * decide what to send back for every other call.
 */
async function fakeDaemon(
  onCall: (call: LibvirtFrame, socket: Socket) => void,
): Promise<{ server: Server; path: string; closed: Promise<void> }> {
  const path = `/tmp/novacron-kvm-fake-${process.pid}-${randomUUID().slice(0, 8)}.sock`;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const server = createServer((socket) => {
    const decoder = new LibvirtFrameDecoder(1024 * 1024);
    socket.on('close', () => markClosed());
    socket.on('data', (chunk: Buffer) => {
      for (const call of decoder.push(chunk)) {
        if (call.program !== REMOTE_PROGRAM) continue; // keepalive pings: a silent daemon ignores them too
        if (call.procedure === Procedure.CONNECT_OPEN) socket.write(reply(call, Buffer.alloc(0)));
        else if (call.procedure === Procedure.CONNECT_SUPPORTS_FEATURE)
          socket.write(reply(call, new XdrWriter().int(1).toBuffer()));
        else onCall(call, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { server, path, closed };
}

describe('malformed and oversized frames from the daemon', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  const scripts: Array<[string, (call: LibvirtFrame, socket: Socket) => void, RegExp]> = [
    [
      'an oversized frame',
      (_call, socket) => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(0x7fffffff);
        socket.write(header);
      },
      /Oversized libvirt frame: 2147483647 bytes, over the 1048576-byte limit/,
    ],
    [
      'a frame shorter than its header',
      (_call, socket) => socket.write(Buffer.from([0, 0, 0, 8, 1, 2, 3, 4])),
      /shorter than the 28-byte header/,
    ],
    [
      'a reply whose body lies about a string length',
      (call, socket) => socket.write(reply(call, new XdrWriter().uint(5000).toBuffer())),
      /Malformed libvirt message: string needs/,
    ],
    [
      'an error reply that is truncated',
      (call, socket) => socket.write(reply(call, new XdrWriter().int(42).toBuffer(), MessageStatus.ERROR)),
      /Malformed libvirt/,
    ],
  ];

  for (const [what, script, message] of scripts) {
    it(`closes the connection with a clear error on ${what}, without hanging`, {
      timeout: 10_000,
    }, async () => {
      const fake = await fakeDaemon(script);
      servers.push(fake.server);
      const client = new LibvirtClient(`test+unix:///default?socket=${fake.path}`, {
        maxFrameSize: 1024 * 1024,
      });
      const error = await client.lookupDomainByName('test').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LibvirtProtocolError);
      expect((error as Error).message).toMatch(message);
      await fake.closed;
      expect(client.isConnected).toBe(false);
      await client.close();
      rmSync(fake.path, { force: true });
    });
  }

  it("reports a malformed frame through the driver as UNAVAILABLE with the protocol error's message as cause", {
    timeout: 10_000,
  }, async () => {
    const fake = await fakeDaemon((_call, socket) => socket.write(Buffer.from([0, 0, 0, 4])));
    servers.push(fake.server);
    const driver = createKvmDriver({
      hosts: [{ id: 'fake', uri: `test+unix:///default?socket=${fake.path}` }],
      domainType: 'test',
    });
    const error = await driver.doGetVm('test', context()).catch((caught: unknown) => caught);
    expect(NovaCronError.isInstance(error) && error.code).toBe('UNAVAILABLE');
    expect((error as NovaCronError).retryable).toBe(true);
    expect((error as NovaCronError).cause).toMatchObject({
      name: 'ProviderError',
      message: expect.stringContaining('Malformed libvirt frame'),
    });
    await driver.close();
    rmSync(fake.path, { force: true });
  });

  it("ends a call at the attempt's deadline as a retryable TIMEOUT, a cancellation as ABORTED", {
    timeout: 10_000,
  }, async () => {
    // Answers the handshake, then nothing: the call is held open until the signal fires.
    const fake = await fakeDaemon(() => undefined);
    servers.push(fake.server);
    const driver = createKvmDriver({
      hosts: [{ id: 'silent', uri: `test+unix:///default?socket=${fake.path}` }],
      domainType: 'test',
      client: { keepaliveIntervalMs: 0 },
    });
    const attempt = (signal: AbortSignal) =>
      driver.doGetVm('test', { signal, operationId: randomUUID(), attempt: 1 }).then(
        () => undefined,
        (caught: unknown) => caught as NovaCronError,
      );
    const started = Date.now();
    const timedOut = await attempt(AbortSignal.timeout(200));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(timedOut?.message).toContain("KVM host 'silent'");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await attempt(controller.signal)).toMatchObject({ code: 'ABORTED', retryable: false });
    await driver.close();
    rmSync(fake.path, { force: true });
  });

  it('ends a connection handshake the daemon never answers at the deadline too', {
    timeout: 10_000,
  }, async () => {
    // Accepts the socket and never answers CONNECT_OPEN.
    const path = `/tmp/novacron-kvm-mute-${process.pid}-${randomUUID().slice(0, 8)}.sock`;
    const mute = createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(path, resolve));
    servers.push(mute);
    const driver = createKvmDriver({
      hosts: [{ id: 'mute', uri: `test+unix:///default?socket=${path}` }],
      domainType: 'test',
      client: { keepaliveIntervalMs: 0 },
    });
    const started = Date.now();
    const error = await driver
      .doGetVm('test', { signal: AbortSignal.timeout(200), operationId: randomUUID(), attempt: 1 })
      .catch((caught: unknown) => caught as NovaCronError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    await driver.close();
    rmSync(path, { force: true });
  });

  it('keepalive declares a silent daemon dead instead of hanging', { timeout: 10_000 }, async () => {
    const fake = await fakeDaemon(() => undefined);
    servers.push(fake.server);
    const client = new LibvirtClient(`test+unix:///default?socket=${fake.path}`, {
      keepaliveIntervalMs: 100,
      keepaliveCount: 3,
    });
    const error = await client.lookupDomainByName('test').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LibvirtConnectionError);
    expect((error as Error).message).toMatch(/no answer to keepalives/);
    await client.close();
    rmSync(fake.path, { force: true });
  });
});

describe('a fleet host that is down when the watch starts', () => {
  it('is reported down, and the other hosts are still watched', { timeout: 10_000 }, async () => {
    const driver = createKvmDriver({
      hosts: [{ id: 'gone', uri: 'test+unix:///default?socket=/tmp/novacron-kvm-no-such.sock' }],
      domainType: 'test',
      client: { reconnectInitialDelayMs: 1_000 },
    });
    const events: string[] = [];
    const stop = await driver.doWatch(
      (event) => {
        if (event.type === 'host.state') events.push(`${event.hostId}:${event.state}`);
      },
      { signal: new AbortController().signal },
    );
    expect(events).toEqual(['gone:down']);
    await stop();
    await driver.close();
  });
});

describe.skipIf(!libvirtAvailable())('a daemon killed mid-call', () => {
  let daemon: LibvirtDaemon | undefined;
  afterAll(async () => {
    await daemon?.stop();
  });

  it('fails the call in flight with UNAVAILABLE, then reconnects when the daemon is back', async () => {
    daemon = await startLibvirtDaemon({ name: 'fault' });
    const driver = createKvmDriver({
      hosts: [{ id: 'h1', uri: daemon.uri('test') }],
      domainType: 'test',
      client: { reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 200 },
    });
    const hostStates: string[] = [];
    const stopWatching = await driver.doWatch(
      (event) => {
        if (event.type === 'host.state') hostStates.push(event.state);
      },
      { signal: new AbortController().signal },
    );
    try {
      expect((await driver.doGetVm('test', context())).state.name).toBe('running');
      // Freeze the daemon so the call is surely in flight, then kill it.
      process.kill(daemon.libvirtdPid(), 'SIGSTOP');
      const inFlight = driver.doGetVm('test', context()).catch((caught: unknown) => caught);
      await new Promise((resolve) => setTimeout(resolve, 100));
      daemon.kill();
      const error = await inFlight;
      expect(NovaCronError.isInstance(error) && error.code).toBe('UNAVAILABLE');
      expect((error as NovaCronError).retryable).toBe(true);
      expect((error as NovaCronError).cause).toMatchObject({ name: 'ProviderError' });
      expect((error as NovaCronError).cause).not.toBeInstanceOf(LibvirtConnectionError);
      const whileDown = await driver.doGetVm('test', context()).catch((caught: unknown) => caught);
      expect(NovaCronError.isInstance(whileDown) && whileDown.code).toBe('UNAVAILABLE');
      expect((await driver.doListHosts({}, context())).items[0]?.state).toBe('down');
      await daemon.stop();
      daemon = await startLibvirtDaemon({ name: 'fault' });
      // The watcher's background reconnect (with backoff) brings the host back up without any call.
      const deadline = Date.now() + 20_000;
      const backUp = (): boolean => hostStates.slice(hostStates.lastIndexOf('down')).includes('up');
      while (!backUp() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hostStates).toEqual(['up', 'down', 'up']);
      expect((await driver.doGetVm('test', context())).state.name).toBe('running');
    } finally {
      await stopWatching();
      await driver.close();
    }
  });
});
