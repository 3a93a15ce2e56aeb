import type { Instance, InstanceTypeInfo, Tag } from '@aws-sdk/client-ec2';
import type { ProviderVm } from '@novacron/core';
import { instanceTypeResources } from './aws-instance-types.js';
import { toVmState } from './aws-state-map.js';

/** The tag EC2 consoles show as an instance's name. */
export const NAME_TAG_KEY = 'Name';

/** Tag keys NovaCron writes itself; they are hidden from `ProviderVm.tags` (they stay in `raw`). */
export function isReservedTagKey(key: string): boolean {
  return key === NAME_TAG_KEY || key.startsWith('novacron:') || key.startsWith('aws:');
}

/** Turns EC2's tag list into a record of user tags, without the reserved ones. */
export function userTags(tags: readonly Tag[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined && !isReservedTagKey(tag.Key)) result[tag.Key] = tag.Value ?? '';
  }
  return result;
}

/**
 * Turns an EC2 instance record into NovaCron's {@link ProviderVm}. The name is the `Name` tag (the instance id when
 * there is none); resources come from the instance type's record where it is known.
 *
 * @example
 * toProviderVm(instance, 'eu-west-1', typeRecord).state.name; // 'running'
 */
export function toProviderVm(
  instance: Instance,
  region: string,
  typeRecord: InstanceTypeInfo | undefined,
): ProviderVm {
  const id = instance.InstanceId ?? '';
  const name = instance.Tags?.find((tag) => tag.Key === NAME_TAG_KEY)?.Value ?? id;
  const resources = instanceTypeResources(typeRecord);
  const coreCount = instance.CpuOptions?.CoreCount;
  const threadsPerCore = instance.CpuOptions?.ThreadsPerCore;
  if (resources.vcpus === 0 && coreCount !== undefined) resources.vcpus = coreCount * (threadsPerCore ?? 1);
  const vm: ProviderVm = {
    id,
    name,
    state: toVmState(instance.State?.Name, instance.StateReason?.Message),
    resources,
    location: { region },
    addresses: { private: privateAddresses(instance), public: publicAddresses(instance) },
    tags: userTags(instance.Tags),
    raw: instance,
  };
  const zone = instance.Placement?.AvailabilityZone;
  if (zone !== undefined && zone !== '') vm.location.zone = zone;
  const hostId = instance.Placement?.HostId;
  if (hostId !== undefined && hostId !== '') vm.location.hostId = hostId;
  if (instance.InstanceType !== undefined) vm.size = instance.InstanceType;
  if (instance.ImageId !== undefined) vm.image = instance.ImageId;
  if (instance.LaunchTime !== undefined) vm.createdAt = new Date(instance.LaunchTime);
  return vm;
}

function privateAddresses(instance: Instance): string[] {
  const addresses = new Set<string>();
  if (instance.PrivateIpAddress) addresses.add(instance.PrivateIpAddress);
  for (const nic of instance.NetworkInterfaces ?? []) {
    for (const entry of nic.PrivateIpAddresses ?? [])
      if (entry.PrivateIpAddress) addresses.add(entry.PrivateIpAddress);
    for (const entry of nic.Ipv6Addresses ?? []) if (entry.Ipv6Address) addresses.add(entry.Ipv6Address);
  }
  return [...addresses];
}

function publicAddresses(instance: Instance): string[] {
  const addresses = new Set<string>();
  if (instance.PublicIpAddress) addresses.add(instance.PublicIpAddress);
  for (const nic of instance.NetworkInterfaces ?? []) {
    if (nic.Association?.PublicIp) addresses.add(nic.Association.PublicIp);
  }
  return [...addresses];
}
