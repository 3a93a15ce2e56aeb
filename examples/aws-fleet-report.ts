/**
 * Fleet report across two AWS regions: every instance, grouped by region, size and state, with an estimated hourly
 * cost from a price table (only running instances bill for compute).
 *
 * Where it runs:
 * - In CI and on a laptop it talks to moto, the EC2 emulator (`pip install 'moto[server]'`): it uses the server at
 *   `MOTO_URL` when that is set (CI starts one), else it starts `moto_server` itself on a free port and stops it at
 *   the end. On moto it first seeds a small demo fleet, since an empty emulator would make an empty report.
 * - Against a real account, set `AWS_FLEET_REPORT_REAL=1` (and the usual AWS credentials): it lists, never seeds.
 * Under CI=true a missing moto is an error, so the example cannot silently report nothing.
 *
 * Run: `npx tsx examples/aws-fleet-report.ts`
 */
import { createNovaCron } from '@novacron/core';
import { type AwsPriceTable, createAwsDriver } from '@novacron/driver-aws';
import { type MotoServer, useMotoServer } from '../scripts/support/moto-server.js';

const REGIONS = ['us-east-1', 'eu-west-1'] as const;

// Illustrative on-demand Linux prices in USD per hour; check the AWS price list for the figures that apply to you.
const PRICES: Record<(typeof REGIONS)[number], AwsPriceTable> = {
  'us-east-1': { 't3.micro': 0.0104, 't3.small': 0.0208, 'm5.large': 0.096, 'c5.xlarge': 0.17 },
  'eu-west-1': { 't3.micro': 0.0114, 't3.small': 0.0228, 'm5.large': 0.107, 'c5.xlarge': 0.192 },
};

const real = process.env.AWS_FLEET_REPORT_REAL === '1';
let moto: MotoServer | undefined;
if (!real) {
  moto = await useMotoServer();
  await moto.reset();
}
const endpoint = moto?.url;
const credentials = real ? undefined : { accessKeyId: 'testing', secretAccessKey: 'testing' };

const nc = createNovaCron({
  providers: Object.fromEntries(
    REGIONS.map((region) => [
      `aws-${region}`,
      createAwsDriver({ region, endpoint, credentials, priceTable: PRICES[region] }),
    ]),
  ),
});

try {
  if (!real) await seedDemoFleet();

  // The report: one pass over every instance of both regions (paged, never truncated).
  const groups = new Map<
    string,
    { region: string; size: string; state: string; count: number; hourly: number }
  >();
  const listing = nc.vms.list({ partial: 'collect' });
  for await (const vm of listing) {
    const region = vm.location.region ?? '?';
    const size = vm.size ?? '?';
    const key = `${region} ${size} ${vm.state.name}`;
    const group = groups.get(key) ?? { region, size, state: vm.state.name, count: 0, hourly: 0 };
    group.count += 1;
    const price = PRICES[region as (typeof REGIONS)[number]]?.[size];
    if (vm.state.name === 'running' && price !== undefined) group.hourly += price;
    groups.set(key, group);
  }
  for (const failure of listing.failures) {
    console.warn(`provider ${failure.provider} could not be listed: ${failure.error.message}`);
  }
  const rows = [...groups.values()].sort((left, right) =>
    `${left.region} ${left.size} ${left.state}`.localeCompare(`${right.region} ${right.size} ${right.state}`),
  );
  console.table(
    rows.map((row) => ({
      ...row,
      hourly: `$${row.hourly.toFixed(4)}`,
      monthly: `$${(row.hourly * 730).toFixed(2)}`,
    })),
  );
  const total = rows.reduce((sum, row) => sum + row.hourly, 0);
  const instances = rows.reduce((sum, row) => sum + row.count, 0);
  console.log(
    `${instances} instances in ${REGIONS.join(' and ')}: about $${total.toFixed(4)} per hour running.`,
  );
  if (!real && instances !== 20) throw new Error(`expected the 20 seeded instances, found ${instances}`);
} finally {
  await nc.close();
  await moto?.stop();
}

/** A demo fleet on moto: a mix of sizes and states in both regions. */
async function seedDemoFleet(): Promise<void> {
  const image = 'ami-03cf127a'; // one of the AMIs moto ships in every region
  const plan: Array<[region: string, size: string, count: number, stopped: number]> = [
    ['us-east-1', 't3.micro', 6, 1],
    ['us-east-1', 'm5.large', 3, 2],
    ['us-east-1', 'c5.xlarge', 1, 0],
    ['eu-west-1', 't3.small', 5, 0],
    ['eu-west-1', 'm5.large', 3, 1],
    ['eu-west-1', 't3.micro', 2, 2],
  ];
  for (const [region, size, count, stopped] of plan) {
    const result = await nc.vms.createMany(
      Array.from({ length: count }, (_, index) => ({
        provider: `aws-${region}`,
        name: `${size.replace('.', '-')}-${index}`,
        size,
        image,
        tags: { team: index % 2 === 0 ? 'web' : 'data' },
      })),
    );
    if (result.failed.length > 0) throw result.failed[0]!.error;
    for (const { vm } of result.created.slice(0, stopped)) {
      await nc.vms.stop(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'stopped');
    }
  }
}
