import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeVpcsCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { NovaCronError } from '@novacron/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  callContext,
  createContext,
  MOTO_IMAGE,
  motoClient,
  motoDriver,
  skipWithoutMoto,
} from './support/moto.js';

describe.skipIf(skipWithoutMoto)('aws driver lifecycle against moto', () => {
  const driver = motoDriver();
  const ec2 = motoClient();
  afterAll(async () => {
    await driver.close();
    ec2.destroy();
  });

  it('creates, stops, starts, reboots and terminates an instance, mapping every state', async () => {
    const created = await driver.doCreateVm(
      { name: 'web-1', size: 't3.micro', image: MOTO_IMAGE, tags: { team: 'a' } },
      createContext('life-1'),
    );
    expect(created.id).toMatch(/^i-[0-9a-f]{17}$/);
    expect(created.name).toBe('web-1');
    expect(created.state).toEqual({ name: 'pending', providerState: 'pending' });
    expect(created.resources).toMatchObject({ vcpus: 2, memoryMiB: 1024, gpus: 0 });
    expect(created.size).toBe('t3.micro');
    expect(created.image).toBe(MOTO_IMAGE);
    expect(created.tags).toEqual({ team: 'a' });
    expect(created.location.region).toBe('us-east-1');
    expect(created.location.zone).toMatch(/^us-east-1[a-f]$/);
    expect(created.addresses.private.length).toBeGreaterThan(0);

    expect((await driver.doGetVm(created.id, callContext())).state.name).toBe('running');
    await driver.doStopVm(created.id, { force: false }, callContext());
    expect((await driver.doGetVm(created.id, callContext())).state).toMatchObject({ name: 'stopped' });
    await driver.doStopVm(created.id, { force: true }, callContext());
    expect((await driver.doGetVm(created.id, callContext())).state.name).toBe('stopped');
    await driver.doStartVm(created.id, callContext());
    await driver.doStartVm(created.id, callContext());
    expect((await driver.doGetVm(created.id, callContext())).state.name).toBe('running');
    await driver.doRebootVm(created.id, callContext());
    expect((await driver.doGetVm(created.id, callContext())).state.name).toBe('running');
    await driver.doDeleteVm(created.id, callContext());
    expect((await driver.doGetVm(created.id, callContext())).state).toMatchObject({
      name: 'terminated',
      providerState: 'terminated',
    });
    await driver.doDeleteVm(created.id, callContext());
  });

  it('answers NOT_FOUND for unknown and malformed ids, and deleting them is a no-op', async () => {
    for (const id of ['i-0123456789abcdef0', 'does-not-exist']) {
      const error = await driver.doGetVm(id, callContext()).catch((caught: unknown) => caught);
      expect(NovaCronError.isInstance(error) && error.code).toBe('NOT_FOUND');
      expect((error as Error).message).toContain(id);
      await driver.doDeleteVm(id, callContext());
      const stop = await driver
        .doStopVm(id, { force: false }, callContext())
        .catch((caught: unknown) => caught);
      expect(NovaCronError.isInstance(stop) && stop.code).toBe('NOT_FOUND');
    }
  });

  it('refuses to start or stop a terminated instance with CONFLICT (moto itself would allow it)', async () => {
    const vm = await driver.doCreateVm(
      { name: 'gone', size: 't3.micro', image: MOTO_IMAGE },
      createContext('life-2'),
    );
    await driver.doDeleteVm(vm.id, callContext());
    const start = await driver.doStartVm(vm.id, callContext()).catch((caught: unknown) => caught);
    expect(NovaCronError.isInstance(start) && start.code).toBe('CONFLICT');
  });

  it('passes tags, user data, key pair, security groups, subnet and zone through RunInstances', async () => {
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'ops' }));
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    const vpcId = vpcs.Vpcs?.[0]?.VpcId;
    const group = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }),
    );
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '172.31.200.0/24', AvailabilityZone: 'us-east-1c' }),
    );
    const userData = '#cloud-config\npackages: [nginx]\n';
    const vm = await driver.doCreateVm(
      {
        name: 'web-2',
        size: 't3.small',
        image: MOTO_IMAGE,
        tags: { team: 'b', env: 'dev' },
        userData,
        location: { zone: 'us-east-1c' },
        providerOptions: {
          aws: { keyName: 'ops', securityGroupIds: [group.GroupId], subnetId: subnet.Subnet?.SubnetId },
        },
      },
      createContext('life-3'),
    );
    const raw = vm.raw as Instance;
    expect(raw.KeyName).toBe('ops');
    expect(raw.SubnetId).toBe(subnet.Subnet?.SubnetId);
    expect(raw.SecurityGroups?.map((entry) => entry.GroupId)).toContain(group.GroupId);
    expect(vm.location.zone).toBe('us-east-1c');
    expect(vm.tags).toEqual({ team: 'b', env: 'dev' });
    expect(raw.Tags).toContainEqual({ Key: 'novacron:idempotency-key', Value: 'life-3' });
    expect(raw.ClientToken).toMatch(/^nc-/);
    const attribute = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: vm.id, Attribute: 'userData' }),
    );
    expect(Buffer.from(attribute.UserData?.Value ?? '', 'base64').toString('utf8')).toBe(userData);
  });

  it('chooses the smallest instance type that fits when only resources are given', async () => {
    const vm = await driver.doCreateVm(
      { name: 'fit', resources: { vcpus: 2, memoryMiB: 3000 }, image: MOTO_IMAGE },
      createContext('life-4'),
    );
    expect(vm.size).toBe('t3.medium');
    const priced = motoDriver({ priceTable: { 't3.medium': 0.5, 'c5.large': 0.08, 'm5.large': 0.1 } });
    const cheap = await priced.doCreateVm(
      { name: 'fit-cheap', resources: { vcpus: 2, memoryMiB: 3000 }, image: MOTO_IMAGE },
      createContext('life-5'),
    );
    expect(cheap.size).toBe('c5.large');
    await priced.close();
  });

  it('launches many instances with one RunInstances, idempotently', async () => {
    const first = await driver.createVms({ name: 'batch', size: 't3.nano', image: MOTO_IMAGE }, 5, {
      idempotencyKey: 'batch-1',
    });
    const again = await driver.createVms({ name: 'batch', size: 't3.nano', image: MOTO_IMAGE }, 5, {
      idempotencyKey: 'batch-1',
    });
    expect(first.map((vm) => vm.id).sort()).toEqual(again.map((vm) => vm.id).sort());
    expect(new Set(first.map((vm) => vm.id)).size).toBe(5);
  });

  it('hibernates through providerOptions.aws.hibernate', async () => {
    const vm = await driver.doCreateVm(
      {
        name: 'sleepy',
        size: 't3.micro',
        image: MOTO_IMAGE,
        providerOptions: { aws: { hibernation: true } },
      },
      createContext('life-6'),
    );
    expect((vm.raw as Instance).HibernationOptions?.Configured).toBe(true);
    await driver.doStopVm(
      vm.id,
      { force: false, providerOptions: { aws: { hibernate: true } } },
      callContext(),
    );
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('stopped');
  });

  it('returns the same instance for the same idempotency key on a retry, without a second RunInstances', async () => {
    const spec = { name: 'once', size: 't3.micro', image: MOTO_IMAGE };
    const first = await driver.doCreateVm(spec, createContext('life-7', 1));
    const retried = await driver.doCreateVm(spec, createContext('life-7', 2));
    expect(retried.id).toBe(first.id);
    const always = motoDriver({ idempotencyLookup: 'always' });
    const reused = await always.doCreateVm(spec, createContext('life-7', 1));
    expect(reused.id).toBe(first.id);
    await always.close();
    const tagged = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'tag:novacron:idempotency-key', Values: ['life-7'] }],
      }),
    );
    expect(tagged.Reservations?.flatMap((reservation) => reservation.Instances ?? [])).toHaveLength(1);
  });
});
