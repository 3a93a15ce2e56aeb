import { createNovaCron, type NovaCron } from '@novacron/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHeldResponses, type Ec2Call, forwardToMoto, scriptEc2 } from './support/ec2-fault-script.js';
import { instancesWithKey, MOTO_IMAGE, motoClient, motoDriver, skipWithoutMoto } from './support/moto.js';

const SPEC = { provider: 'aws', name: 'deadline', size: 't3.micro', image: MOTO_IMAGE } as const;
const ATTEMPT_TIMEOUT_MS = 2_000;
const OPERATION_TIMEOUT_MS = 60_000;

describe.skipIf(skipWithoutMoto)('aws driver under per-attempt deadlines (limits.attemptTimeoutMs)', () => {
  const server = setupServer();
  const ec2 = motoClient();
  let nc: NovaCron | undefined;
  const held = createHeldResponses();

  beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
  afterEach(async () => {
    held.releaseAll();
    server.resetHandlers();
    await nc?.close();
    nc = undefined;
  });
  afterAll(() => {
    server.close();
    ec2.destroy();
  });

  it.each<[string, (call: Ec2Call) => Promise<Response>]>([
    ['never reaches EC2', () => held.hold()],
    [
      'made the instance, but its answer never comes',
      async (call) => {
        await forwardToMoto(call);
        return held.hold();
      },
    ],
  ])(
    'retries a create whose first RunInstances %s once the attempt deadline passes, making one instance',
    async (_label, hold) => {
      let held = false;
      const calls = scriptEc2(server, (call) => {
        if (call.action !== 'RunInstances' || held) return undefined;
        held = true;
        return hold(call);
      });
      const limits = { default: { attemptTimeoutMs: ATTEMPT_TIMEOUT_MS, timeoutMs: OPERATION_TIMEOUT_MS } };
      nc = createNovaCron({ providers: { aws: motoDriver() }, limits });
      const retries: string[] = [];
      nc.events.on('operation.retry', (event) => retries.push(event.error.code));
      const key = `deadline-${calls.length}-${Date.now()}`;

      const started = performance.now();
      const vm = await nc.vms.create({ ...SPEC, idempotencyKey: key });
      const elapsedMs = performance.now() - started;

      expect(elapsedMs).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 50);
      expect(elapsedMs).toBeLessThan(OPERATION_TIMEOUT_MS / 4);
      expect(retries).toEqual(['TIMEOUT']);
      expect(await instancesWithKey(ec2, key)).toEqual([vm.ref.id]);
      expect(vm.name).toBe('deadline');
    },
  );
});
