import {
  type PlacementDemand,
  type PlacementHost,
  type PlacementRequest,
  RESOURCE_DIMENSIONS,
} from '@novacron/core';
import { invalidArgument } from './invalid-argument.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkAmount(where: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0))
    throw invalidArgument(where, `${where} is ${String(value)}; use a finite number >= 0.`);
}

function checkLabels(where: string, value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value) || Object.values(value).some((entry) => typeof entry !== 'string'))
    throw invalidArgument(where, `${where} must map label names to string values.`);
}

function checkGroup(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value === ''))
    throw invalidArgument(
      where,
      `${where} is ${JSON.stringify(value)}; use a non-empty string or leave it out.`,
    );
}

/**
 * Checks one demand; a `NovaCronError` (`INVALID_ARGUMENT`) naming the field (`where` is its path, e.g.
 * `demands[3]`) and the fix.
 *
 * @example
 * checkDemand({ key: 'web-1', resources: { vcpus: 2, memoryMiB: 4096 } }, 'demands[0]');
 */
export function checkDemand(demand: PlacementDemand, where: string): void {
  if (typeof demand !== 'object' || demand === null)
    throw invalidArgument(where, `${where} must be an object with a key and resources.`);
  if (typeof demand.key !== 'string' || demand.key === '')
    throw invalidArgument(`${where}.key`, `${where}.key must be a non-empty string (the VM's name, say).`);
  if (!isRecord(demand.resources))
    throw invalidArgument(`${where}.resources`, `${where}.resources must give at least vcpus and memoryMiB.`);
  for (const dimension of RESOURCE_DIMENSIONS) {
    const required = dimension === 'vcpus' || dimension === 'memoryMiB';
    checkAmount(`${where}.resources.${dimension}`, demand.resources[dimension], required);
  }
  checkGroup(`${where}.antiAffinityGroup`, demand.antiAffinityGroup);
  checkGroup(`${where}.affinityGroup`, demand.affinityGroup);
  checkGroup(`${where}.zone`, demand.zone);
  checkLabels(`${where}.requiredLabels`, demand.requiredLabels);
  checkLabels(`${where}.preferredLabels`, demand.preferredLabels);
}

/**
 * Checks a fleet: unique ids, and capacity, allocatable and allocated with every resource a finite number >= 0.
 *
 * @example
 * checkHosts(hosts, 'hosts');
 */
export function checkHosts(hosts: readonly PlacementHost[], where: string): void {
  if (!Array.isArray(hosts)) throw invalidArgument(where, `${where} must be an array of hosts.`);
  const ids = new Set<string>();
  hosts.forEach((host, index) => {
    const at = `${where}[${index}]`;
    if (typeof host !== 'object' || host === null || typeof host.id !== 'string' || host.id === '')
      throw invalidArgument(`${at}.id`, `${at} must be a host with a non-empty id.`);
    if (ids.has(host.id))
      throw invalidArgument(`${at}.id`, `${at}.id '${host.id}' appears twice; give each host once.`);
    ids.add(host.id);
    for (const field of ['capacity', 'allocatable', 'allocated'] as const) {
      if (!isRecord(host[field]))
        throw invalidArgument(
          `${at}.${field}`,
          `${at}.${field} must give every resource (vcpus, memoryMiB, diskGiB, gpus).`,
        );
      for (const dimension of RESOURCE_DIMENSIONS)
        checkAmount(`${at}.${field}.${dimension}`, host[field][dimension], true);
    }
    if (!(Number.isInteger(host.vmCount) && host.vmCount >= 0))
      throw invalidArgument(
        `${at}.vmCount`,
        `${at}.vmCount is ${String(host.vmCount)}; use an integer >= 0.`,
      );
    checkLabels(`${at}.labels`, host.labels);
  });
}

function checkChoice(where: string, value: unknown, choices: readonly string[]): void {
  if (value !== undefined && !choices.includes(value as string))
    throw invalidArgument(
      where,
      `${where} is ${JSON.stringify(value)}; use ${choices.map((choice) => `'${choice}'`).join(' or ')}.`,
    );
}

/**
 * Checks a placement request: the hosts, every demand, unique keys, and the objective, strategy and effort.
 *
 * @example
 * checkRequest({ hosts, demands: [{ key: 'web-1', resources: { vcpus: 2, memoryMiB: 4096 } }] });
 */
export function checkRequest(request: PlacementRequest): void {
  if (!isRecord(request))
    throw invalidArgument('request', 'place: the request must be an object with hosts and demands.');
  checkHosts(request.hosts, 'hosts');
  if (!Array.isArray(request.demands))
    throw invalidArgument('demands', 'demands must be an array of VMs to place.');
  const keys = new Set<string>();
  request.demands.forEach((demand, index) => {
    checkDemand(demand, `demands[${index}]`);
    if (keys.has(demand.key))
      throw invalidArgument(
        `demands[${index}].key`,
        `demands[${index}].key '${demand.key}' appears twice; keys must be unique.`,
      );
    keys.add(demand.key);
  });
  checkChoice('objective', request.objective, ['pack', 'spread']);
  checkChoice('strategy', request.strategy, ['auto', 'sequential', 'batch']);
  checkChoice('effort', request.effort, ['fast', 'improve']);
}
