import { CreateTagsCommand, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { ProviderVm, VmFilter } from '@novacron/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callContext, MOTO_IMAGE, motoClient, motoDriver, skipWithoutMoto } from './support/moto.js';

/** Reads every page, as the core's paginator does. */
async function listAll(
  driver: ReturnType<typeof motoDriver>,
  pageSize: number,
  filter?: VmFilter,
): Promise<{ vms: ProviderVm[]; pages: number }> {
  const vms: ProviderVm[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await driver.doListVms(
      { pageSize, ...(cursor === undefined ? {} : { cursor }), ...(filter === undefined ? {} : { filter }) },
      callContext(),
    );
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    vms.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined);
  return { vms, pages };
}

describe.skipIf(skipWithoutMoto)('aws driver lists against moto', () => {
  const driver = motoDriver();
  const ec2 = motoClient();
  // moto pages DescribeInstances by reservation (EC2 counts instances): 1,010 single-instance reservations exercise
  // the NextToken path, and one reservation of 40 is an oversized provider page the driver must slice.
  const SMALL_RESERVATIONS = 30;
  const FILLER_RESERVATIONS = 980;
  const BIG_RESERVATION = 40;
  const TOTAL = SMALL_RESERVATIONS + FILLER_RESERVATIONS + BIG_RESERVATION;
  const smallIds: string[] = [];

  beforeAll(async () => {
    for (let index = 0; index < SMALL_RESERVATIONS; index += 1) {
      const output = await ec2.send(
        new RunInstancesCommand({
          ImageId: MOTO_IMAGE,
          InstanceType: index % 2 === 0 ? 't3.micro' : 'm5.large',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: 'Name', Value: `small-${index}` },
                { Key: 'team', Value: index % 3 === 0 ? 'a' : 'b' },
              ],
            },
          ],
        }),
      );
      smallIds.push(output.Instances?.[0]?.InstanceId ?? '');
    }
    await ec2.send(
      new RunInstancesCommand({
        ImageId: MOTO_IMAGE,
        InstanceType: 't3.small',
        MinCount: BIG_RESERVATION,
        MaxCount: BIG_RESERVATION,
      }),
    );
    for (let batch = 0; batch < FILLER_RESERVATIONS; batch += 10) {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          ec2.send(
            new RunInstancesCommand({
              ImageId: MOTO_IMAGE,
              InstanceType: 't3.nano',
              MinCount: 1,
              MaxCount: 1,
            }),
          ),
        ),
      );
    }
    await ec2.send(new StopInstancesCommand({ InstanceIds: smallIds.slice(0, 4) }));
    await ec2.send(
      new CreateTagsCommand({ Resources: [smallIds[5]!], Tags: [{ Key: 'owner', Value: 'x' }] }),
    );
    everything = (await listAll(driver, 1000)).vms;
  }, 180_000);

  let everything: ProviderVm[] = [];

  afterAll(async () => {
    await driver.close();
    ec2.destroy();
  });

  it(`lists all ${TOTAL} instances across pages without truncation or duplicates`, async () => {
    expect(everything).toHaveLength(TOTAL);
    expect(new Set(everything.map((vm) => vm.id)).size).toBe(TOTAL);
    const { vms, pages } = await listAll(driver, 300);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(TOTAL / 300));
    expect(vms.map((vm) => vm.id).sort()).toEqual(everything.map((vm) => vm.id).sort());
  }, 120_000);

  it('slices a provider page larger than the requested page', async () => {
    const { vms, pages } = await listAll(driver, 7, { sizes: ['t3.small'] });
    expect(vms).toHaveLength(BIG_RESERVATION);
    expect(new Set(vms.map((vm) => vm.id)).size).toBe(BIG_RESERVATION);
    expect(pages).toBe(Math.ceil(BIG_RESERVATION / 7));
  });

  it('names instances from the Name tag and falls back to the id', async () => {
    expect(everything.find((vm) => vm.id === smallIds[0])?.name).toBe('small-0');
    const unnamed = everything.find((vm) => vm.size === 't3.nano');
    expect(unnamed?.name).toBe(unnamed?.id);
    expect(unnamed?.resources).toMatchObject({ vcpus: 2, memoryMiB: 512 });
  });

  it('pushes tag, state and size filters down to DescribeInstances', async () => {
    const byTag = await listAll(driver, 50, { tags: { team: 'a' } });
    expect(byTag.vms.map((vm) => vm.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `small-${index * 3}`).sort(),
    );
    const twoTags = await listAll(driver, 50, { tags: { team: 'b', owner: 'x' } });
    expect(twoTags.vms.map((vm) => vm.id)).toEqual([smallIds[5]]);
    const stopped = await listAll(driver, 50, { states: ['stopped'] });
    expect(stopped.vms.map((vm) => vm.id).sort()).toEqual(smallIds.slice(0, 4).sort());
    const large = await listAll(driver, 50, { sizes: ['m5.large'] });
    expect(large.vms).toHaveLength(15);
    expect(large.vms.every((vm) => vm.size === 'm5.large' && vm.resources.memoryMiB === 8192)).toBe(true);
  });

  it('answers an empty page without a call for states EC2 never reports', async () => {
    const page = await driver.doListVms({ filter: { states: ['suspended', 'migrating'] } }, callContext());
    expect(page).toEqual({ items: [] });
  });

  it('rejects a cursor it did not make', async () => {
    await expect(driver.doListVms({ cursor: 'not-a-cursor' }, callContext())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
    });
  });
});
