// Type-level tests of the typed client: `tsc` checks this file (npm run typecheck); vitest does not run it.
import { createSimDriver, type SimControl } from '@novacron/driver-sim';
import { expectTypeOf } from 'vitest';
import { createNovaCron, type NovaCron } from '../src/client/create-novacron.js';
import type { DriverV1 } from '../src/driver/driver-v1.js';

const sim = createSimDriver();
const nc = createNovaCron({ providers: { sim, lab: createSimDriver() } });

export function providerNamesAreInferred(): void {
  expectTypeOf(nc.providers()).toEqualTypeOf<Array<'sim' | 'lab'>>();
  void nc.vms.create({ provider: 'sim', name: 'web-1' });
  // @ts-expect-error: 'smi' names no provider of this client
  void nc.vms.create({ provider: 'smi', name: 'web-1' });
  // @ts-expect-error: in createMany too
  void nc.vms.createMany([{ provider: 'smi', name: 'web-1' }]);
  void nc.vms.list({ provider: ['sim', 'lab'] });
  // @ts-expect-error: and in lists
  void nc.vms.list({ provider: 'smi' });
  // @ts-expect-error: and in watches
  void nc.vms.watch({ provider: ['smi'] });
  // @ts-expect-error: hosts.list
  void nc.hosts.list({ provider: 'smi' });
  // @ts-expect-error: hosts.readMetrics
  void nc.hosts.readMetrics('smi', 'host-1', { metrics: [], from: new Date(), to: new Date(), stepMs: 1 });
  // @ts-expect-error: sizes.list
  void nc.sizes.list({ provider: 'smi' });
  // @ts-expect-error: images.list
  void nc.images.list({ provider: 'smi' });
  // @ts-expect-error: locations.list
  void nc.locations.list({ provider: 'smi' });
  // VM refs written as strings stay strings.
  void nc.vms.get('sim:vm-1');
  void nc.migrations.start({ vm: 'sim:vm-1', to: 'host-2' });
}

export function limitsKeysAreProviderNames(): void {
  createNovaCron({ providers: { sim }, limits: { default: { concurrency: 2 }, sim: { perSecond: 5 } } });
  // @ts-expect-error: 'smi' names no provider
  createNovaCron({ providers: { sim }, limits: { smi: { concurrency: 2 } } });
  // @ts-expect-error: a typo in a createNovaCron option
  createNovaCron({ providers: { sim }, limit: {} });
}

export function driverIsAReadOnlyView(): void {
  const view = nc.driver('sim');
  expectTypeOf<typeof view.kind>().toEqualTypeOf<'sim'>();
  expectTypeOf(view.getClient()).toEqualTypeOf<SimControl>();
  expectTypeOf(view.capabilities.liveMigration).toEqualTypeOf<boolean>();
  // @ts-expect-error: implementer-only methods are not part of the view
  void view.doCreateVm;
  // @ts-expect-error: nor is close (the client closes its drivers)
  void view.close;
  // @ts-expect-error: unknown provider name
  nc.driver('smi');
}

export function plainClientTakesAnyString(plain: NovaCron, name: string): void {
  void plain.vms.create({ provider: name, name: 'web-1' });
  void plain.vms.list({ provider: [name] });
  void plain.hosts.readMetrics(name, 'host-1', { metrics: [], from: new Date(), to: new Date(), stepMs: 1 });
  expectTypeOf(plain.providers()).toEqualTypeOf<string[]>();
  expectTypeOf(plain.driver(name).getClient()).toEqualTypeOf<unknown>();
  expectTypeOf(plain.driver(name).kind).toEqualTypeOf<string>();
  // A typed client is still a NovaCron.
  const widened: NovaCron = nc;
  void widened;
  const providers: Record<string, DriverV1> = { sim };
  const dynamic = createNovaCron({ providers });
  void dynamic.vms.create({ provider: name, name: 'x' });
}

export async function closesWithAwaitUsing(): Promise<void> {
  await using client = createNovaCron({ providers: { sim: createSimDriver() } });
  expectTypeOf(client[Symbol.asyncDispose]).toEqualTypeOf<() => Promise<void>>();
}
