import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArmContract, type ContractViolation, loadArmContract } from './arm-contract.js';

/** The fixed bearer token the fake accepts (tests hand the SDK a credential that returns it). */
export const FAKE_TOKEN = 'fake-arm-token';

/** A scripted failure: the next `times` requests that match answer `status` with ARM's error body. */
export interface FaultScript {
  method?: string;
  /** Matched against the path (no query). */
  path?: RegExp;
  status: number;
  code: string;
  message?: string;
  /** Sent as `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
  /** How many matching requests fail. Default 1. */
  times?: number;
}

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

type PowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

interface FakeVm {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  zones?: string[];
  properties: Record<string, unknown>;
  provisioningState: string;
  power: PowerState | undefined;
  /** Extra instance-view statuses a test plants (a failed extension, a failed provisioning code). */
  extraStatuses: Array<{ code: string; level?: string; displayStatus?: string; message?: string }>;
}

interface FakeNic {
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  attachedTo?: string;
}

interface PendingOperation {
  polls: number;
  finish: () => void;
  done: boolean;
}

/** Options of {@link startFakeArm}. */
export interface FakeArmOptions {
  /** VMs per list page. Default 40. */
  pageSize?: number;
  /** Serve an empty page (with a `nextLink`) before every real page. Default true. */
  emptyPages?: boolean;
  /** Leave `name` out of list items, as Microsoft's MinimumSet examples do. Default true. */
  omitNamesInLists?: boolean;
  /** Polls an operation answers `InProgress` before `Succeeded`. Default 1. */
  pollsBeforeDone?: number;
  /** Subnets that exist. Default one: {@link FAKE_SUBNET_ID}. */
  subnets?: string[];
}

export const FAKE_SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
export const FAKE_RESOURCE_GROUP = 'novacron-test';
export const FAKE_LOCATION = 'westeurope';
export const FAKE_SUBNET_ID = `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${FAKE_RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`;
/** The api-version the fake writes into its `nextLink`s: unlike the client's, as ARM may do. */
export const NEXT_LINK_API_VERSION = '2025-04-01';

/** Resource SKUs in the shape of Microsoft's examples: capabilities as strings, restrictions per location. */
const SKUS = [
  sku('Standard_B1s', '1', '1'),
  sku('Standard_B2s', '2', '4'),
  sku('Standard_D2s_v5', '2', '8'),
  sku('Standard_D4s_v5', '4', '16'),
  {
    ...sku('Standard_M416ms_v2', '416', '11400'),
    restrictions: [
      {
        type: 'Location',
        values: [FAKE_LOCATION],
        restrictionInfo: { locations: [FAKE_LOCATION] },
        reasonCode: 'NotAvailableForSubscription',
      },
    ],
  },
  {
    resourceType: 'disks',
    name: 'Premium_LRS',
    tier: 'Premium',
    kind: 'Disks',
    locations: [FAKE_LOCATION],
    capabilities: [{ name: 'MaxSizeGiB', value: '4095' }],
    restrictions: [],
  },
];

function sku(name: string, vcpus: string, memoryGB: string) {
  return {
    resourceType: 'virtualMachines',
    name,
    tier: 'Standard',
    size: name.replace(/^Standard_/, ''),
    family: 'standardFamily',
    locations: [FAKE_LOCATION],
    locationInfo: [{ location: FAKE_LOCATION, zones: ['1', '2', '3'] }],
    capabilities: [
      { name: 'vCPUs', value: vcpus },
      { name: 'MemoryGB', value: memoryGB },
      { name: 'MaxDataDiskCount', value: '4' },
    ],
    restrictions: [] as unknown[],
  };
}

/** A running fake ARM endpoint and its state, for assertions. */
export interface FakeArm {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  /** The throwaway CA certificate (PEM) the SDK must trust: `tlsOptions: { ca }`. */
  readonly ca: string;
  readonly requests: RecordedRequest[];
  /** Bodies the contract refused (each also answered 400). A test run must end with none. */
  readonly violations: ContractViolation[];
  /** `nextLink`s requested with anything other than the exact link given. */
  readonly alteredNextLinks: string[];
  readonly vms: Map<string, FakeVm>;
  readonly nics: Map<string, FakeNic>;
  /** Queues scripted failures. */
  fault(...scripts: FaultScript[]): void;
  /** Sets a VM's state directly (as the platform would), for state tests. */
  plant(name: string, change: Partial<Pick<FakeVm, 'provisioningState' | 'power' | 'extraStatuses'>>): void;
  close(): Promise<void>;
}

function makeCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-arm-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let sharedContract: ArmContract | undefined;

/**
 * Starts a stateful fake of Azure Resource Manager (Compute VMs, Network NICs, resource SKUs) on 127.0.0.1 over
 * https, written from Microsoft's published contract: PUTs answer 201 with `Azure-AsyncOperation`, actions 202 with
 * an operation to poll, lists page with absolute `nextLink`s, errors are `{ error: { code, message } }`, and every VM
 * and NIC body is checked against the ARM JSON Schemas (a refused body is a 400 and is recorded in `violations`).
 */
export async function startFakeArm(options: FakeArmOptions = {}): Promise<FakeArm> {
  const pageSize = options.pageSize ?? 40;
  const emptyPages = options.emptyPages ?? true;
  const omitNames = options.omitNamesInLists ?? true;
  const pollsBeforeDone = options.pollsBeforeDone ?? 1;
  const subnets = new Set((options.subnets ?? [FAKE_SUBNET_ID]).map((id) => id.toLowerCase()));
  sharedContract ??= loadArmContract();
  const contract = sharedContract;
  const { key, cert } = makeCertificate();
  const requests: RecordedRequest[] = [];
  const violations: ContractViolation[] = [];
  const alteredNextLinks: string[] = [];
  const issuedNextLinks = new Set<string>();
  const vms = new Map<string, FakeVm>();
  const nics = new Map<string, FakeNic>();
  const operations = new Map<string, PendingOperation>();
  const faults: Array<FaultScript & { left: number }> = [];
  let base = '';

  const send = (
    response: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': randomUUID(),
      ...headers,
    });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const fail = (response: ServerResponse, status: number, code: string, message: string, headers = {}) =>
    send(response, status, { error: { code, message } }, headers);

  const startOperation = (provider: string, location: string, finish: () => void): string => {
    const id = randomUUID();
    operations.set(id, { polls: 0, finish, done: false });
    return `${base}/subscriptions/${FAKE_SUBSCRIPTION}/providers/${provider}/locations/${location}/operations/${id}?api-version=2026-03-01`;
  };
  const accepted = (response: ServerResponse, operationUrl: string, status = 202, body?: unknown) =>
    send(response, status, body, {
      'azure-asyncoperation': operationUrl,
      location: operationUrl,
      'retry-after': '0',
    });

  const vmKey = (group: string, name: string) => `${group.toLowerCase()}/${name.toLowerCase()}`;
  const vmId = (group: string, name: string) =>
    `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;
  const nicId = (group: string, name: string) =>
    `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.Network/networkInterfaces/${name}`;

  const vmView = (vm: FakeVm, withInstanceView: boolean, inList: boolean) => {
    const properties: Record<string, unknown> = { ...vm.properties, provisioningState: vm.provisioningState };
    if (withInstanceView) {
      const failed = vm.provisioningState === 'Failed';
      const statuses: unknown[] = failed
        ? []
        : [
            {
              code: `ProvisioningState/${vm.provisioningState.toLowerCase()}`,
              level: 'Info',
              displayStatus: `Provisioning ${vm.provisioningState.toLowerCase()}`,
            },
          ];
      statuses.push(...vm.extraStatuses);
      if (vm.power !== undefined) {
        statuses.push({ code: `PowerState/${vm.power}`, level: 'Info', displayStatus: `VM ${vm.power}` });
      }
      properties.instanceView = { computerName: vm.name, statuses };
    }
    return {
      id: vm.id,
      ...(inList && omitNames ? {} : { name: vm.name }),
      type: 'Microsoft.Compute/virtualMachines',
      location: vm.location,
      tags: vm.tags,
      ...(vm.zones === undefined ? {} : { zones: vm.zones }),
      properties,
    };
  };

  const nicView = (nic: FakeNic) => ({
    id: nic.id,
    name: nic.name,
    type: 'Microsoft.Network/networkInterfaces',
    location: nic.location,
    tags: nic.tags,
    properties: {
      ...nic.properties,
      provisioningState: 'Succeeded',
      ...(nic.attachedTo === undefined ? {} : { virtualMachine: { id: nic.attachedTo } }),
    },
  });

  const handleVmList = (response: ServerResponse, url: URL, group: string | undefined) => {
    const all = [...vms.values()]
      .filter((vm) => group === undefined || vm.resourceGroup.toLowerCase() === group.toLowerCase())
      .sort((a, b) => a.id.localeCompare(b.id));
    const token = url.searchParams.get('$skiptoken');
    if (token !== null && !issuedNextLinks.has(url.href)) alteredNextLinks.push(url.href);
    const empty = token === null ? emptyPages : token.startsWith('e');
    const after = token === null ? '' : token.replace(/^[er]:/, '');
    const next = (value: string) => {
      const link = new URL(url.href);
      link.searchParams.set('$skiptoken', value);
      link.searchParams.set('api-version', NEXT_LINK_API_VERSION);
      issuedNextLinks.add(link.href);
      return link.href;
    };
    if (empty) return send(response, 200, { value: [], nextLink: next(`r:${after}`) });
    // The position is the id of the last VM served, so VMs made or deleted meanwhile never shift the others.
    const rest = all.filter((vm) => vm.id.localeCompare(after) > 0);
    const page = rest.slice(0, pageSize);
    const withInstanceView = url.searchParams.get('$expand') === 'instanceView';
    const body: Record<string, unknown> = { value: page.map((vm) => vmView(vm, withInstanceView, true)) };
    const last = page.at(-1);
    if (rest.length > pageSize && last !== undefined)
      body.nextLink = next(`${emptyPages ? 'e' : 'r'}:${last.id}`);
    return send(response, 200, body);
  };

  const handleVm = async (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    group: string,
    name: string,
    action: string | undefined,
    body: unknown,
  ) => {
    const key = vmKey(group, name);
    const vm = vms.get(key);
    const notFound = () =>
      fail(
        response,
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Compute/virtualMachines/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    if (action !== undefined) {
      if (request.method !== 'POST') return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
      if (vm === undefined || vm.provisioningState === 'Deleting') return notFound();
      const location = vm.location;
      if (action === 'restart' && vm.power !== 'running') {
        return fail(
          response,
          409,
          'OperationNotAllowed',
          `Operation 'restart' is not allowed on VM '${name}' since the VM is ${vm.power ?? 'not running'}.`,
        );
      }
      const transitions: Record<string, [PowerState, PowerState] | undefined> = {
        start: ['starting', 'running'],
        powerOff: ['stopping', 'stopped'],
        deallocate: ['deallocating', 'deallocated'],
        restart: ['starting', 'running'],
      };
      const transition = transitions[action];
      if (transition === undefined) return fail(response, 404, 'InvalidResourceType', action);
      const [during, after] = transition;
      const from = vm.power;
      // A no-op transition (start of a running VM) keeps the state it has while the operation runs.
      vm.power = from === after && action !== 'restart' ? after : during;
      return accepted(
        response,
        startOperation('Microsoft.Compute', location, () => {
          vm.power = after;
        }),
      );
    }
    if (request.method === 'GET') {
      if (vm === undefined) return notFound();
      return send(response, 200, vmView(vm, url.searchParams.get('$expand') === 'instanceView', false));
    }
    if (request.method === 'DELETE') {
      if (vm === undefined) return send(response, 204);
      vm.provisioningState = 'Deleting';
      return accepted(
        response,
        startOperation('Microsoft.Compute', vm.location, () => {
          vms.delete(key);
          // NICs whose deleteOption is Delete go with the VM; the others are detached and stay.
          const references =
            ((vm.properties.networkProfile as { networkInterfaces?: unknown[] } | undefined)
              ?.networkInterfaces as Array<{ id: string; properties?: { deleteOption?: string } }>) ?? [];
          for (const reference of references) {
            const nicKey = reference.id.toLowerCase();
            const nic = nics.get(nicKey);
            if (nic === undefined) continue;
            if (reference.properties?.deleteOption === 'Delete') nics.delete(nicKey);
            else delete nic.attachedTo;
          }
        }),
      );
    }
    if (request.method === 'PUT') {
      const refused = contract.check('virtualMachines', body);
      if (refused.length > 0) {
        violations.push({ resource: 'virtualMachines', errors: refused, body });
        return fail(
          response,
          400,
          'InvalidRequestContent',
          `The request content was invalid: ${refused.join('; ')}`,
        );
      }
      const input = body as {
        location: string;
        tags?: Record<string, string>;
        zones?: string[];
        properties: Record<string, unknown>;
      };
      const size = (input.properties.hardwareProfile as { vmSize?: string }).vmSize;
      const known = SKUS.find((each) => each.resourceType === 'virtualMachines' && each.name === size);
      if (known === undefined) {
        return fail(
          response,
          400,
          'InvalidParameter',
          `The requested VM size ${size} is not available in the current region.`,
        );
      }
      if (known.restrictions.length > 0) {
        return fail(
          response,
          409,
          'SkuNotAvailable',
          `The requested size for resource '${vmId(group, name)}' is currently not available in location '${input.location}'.`,
        );
      }
      const references = ((input.properties.networkProfile as { networkInterfaces?: Array<{ id: string }> })
        ?.networkInterfaces ?? []) as Array<{ id: string }>;
      for (const reference of references) {
        const nic = nics.get(reference.id.toLowerCase());
        if (nic === undefined) {
          return fail(
            response,
            400,
            'InvalidResourceReference',
            `Resource ${reference.id} referenced by resource ${vmId(group, name)} was not found.`,
          );
        }
        if (
          nic.attachedTo !== undefined &&
          nic.attachedTo.toLowerCase() !== vmId(group, name).toLowerCase()
        ) {
          return fail(
            response,
            400,
            'NicInUse',
            `Network interface ${reference.id} is used by ${nic.attachedTo}.`,
          );
        }
      }
      if (vm !== undefined && vm.provisioningState === 'Deleting') {
        return fail(response, 409, 'OperationNotAllowed', `VM '${name}' is being deleted.`);
      }
      const created = vm === undefined;
      const record: FakeVm = vm ?? {
        id: vmId(group, name),
        name,
        resourceGroup: group,
        location: input.location,
        tags: {},
        properties: {},
        provisioningState: 'Creating',
        power: 'starting',
        extraStatuses: [],
      };
      record.tags = input.tags ?? {};
      if (input.zones !== undefined) record.zones = input.zones;
      const { osProfile, ...rest } = input.properties;
      const { adminPassword: _secret, ...safeOsProfile } = (osProfile ?? {}) as Record<string, unknown>;
      record.properties = {
        ...rest,
        osProfile: safeOsProfile,
        vmId: (record.properties.vmId as string | undefined) ?? randomUUID(),
        timeCreated: (record.properties.timeCreated as string | undefined) ?? new Date().toISOString(),
      };
      record.provisioningState = created ? 'Creating' : 'Updating';
      vms.set(key, record);
      for (const reference of references) {
        const nic = nics.get(reference.id.toLowerCase());
        if (nic !== undefined) nic.attachedTo = record.id;
      }
      const operation = startOperation('Microsoft.Compute', input.location, () => {
        record.provisioningState = 'Succeeded';
        if (record.power === 'starting') record.power = 'running';
      });
      return accepted(response, operation, created ? 201 : 200, vmView(record, false, false));
    }
    return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
  };

  const handleNic = (
    request: IncomingMessage,
    response: ServerResponse,
    group: string,
    name: string,
    body: unknown,
  ) => {
    const id = nicId(group, name);
    const key = id.toLowerCase();
    const nic = nics.get(key);
    if (request.method === 'GET') {
      if (nic === undefined) {
        return fail(
          response,
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.Network/networkInterfaces/${name}' under resource group '${group}' was not found.`,
        );
      }
      return send(response, 200, nicView(nic));
    }
    if (request.method === 'DELETE') {
      if (nic === undefined) return send(response, 204);
      if (nic.attachedTo !== undefined) {
        return fail(
          response,
          400,
          'NicInUse',
          `Network Interface ${id} is used by existing resource ${nic.attachedTo}. In order to delete the network interface, it must be dissociated from the resource.`,
        );
      }
      nics.delete(key);
      return accepted(
        response,
        startOperation('Microsoft.Network', nic.location, () => undefined),
      );
    }
    if (request.method === 'PUT') {
      const refused = contract.check('networkInterfaces', body);
      if (refused.length > 0) {
        violations.push({ resource: 'networkInterfaces', errors: refused, body });
        return fail(response, 400, 'InvalidRequestFormat', `Cannot parse the request: ${refused.join('; ')}`);
      }
      const input = body as {
        location: string;
        tags?: Record<string, string>;
        properties: { ipConfigurations: Array<{ name?: string; properties?: Record<string, unknown> }> };
      };
      const configurations = input.properties.ipConfigurations.map((configuration, index) => {
        const subnet = (configuration.properties?.subnet as { id?: string } | undefined)?.id ?? '';
        return { configuration, index, subnet };
      });
      for (const { subnet } of configurations) {
        if (!subnets.has(subnet.toLowerCase())) {
          return fail(
            response,
            400,
            'InvalidResourceReference',
            `Resource ${subnet} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
          );
        }
      }
      const octet = (nics.size % 250) + 4;
      const third = Math.floor(nics.size / 250) % 250;
      const record: FakeNic = {
        id,
        name,
        location: input.location,
        tags: input.tags ?? {},
        properties: {
          ...input.properties,
          ipConfigurations: configurations.map(({ configuration, index }) => ({
            name: configuration.name ?? `ipconfig${index + 1}`,
            id: `${id}/ipConfigurations/${configuration.name ?? `ipconfig${index + 1}`}`,
            properties: {
              ...configuration.properties,
              privateIPAddress:
                (
                  nic?.properties.ipConfigurations as
                    | Array<{ properties: { privateIPAddress: string } }>
                    | undefined
                )?.[index]?.properties.privateIPAddress ?? `10.0.${third}.${octet}`,
              provisioningState: 'Succeeded',
            },
          })),
          macAddress: '00-0D-3A-00-00-01',
        },
        ...(nic?.attachedTo === undefined ? {} : { attachedTo: nic.attachedTo }),
      };
      nics.set(key, record);
      return accepted(
        response,
        startOperation('Microsoft.Network', input.location, () => undefined),
        nic === undefined ? 201 : 200,
        nicView(record),
      );
    }
    return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const url = new URL(request.url ?? '/', base);
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      return fail(response, 400, 'InvalidRequestContent', 'The request content is not JSON.');
    }
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
    });
    if (request.headers.authorization !== `Bearer ${FAKE_TOKEN}`) {
      return fail(response, 401, 'AuthenticationFailed', 'Authentication failed: no valid bearer token.');
    }
    if (!url.searchParams.get('api-version')) {
      return fail(
        response,
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const fault = faults.find(
      (each) =>
        each.left > 0 &&
        (each.method === undefined || each.method === request.method) &&
        (each.path === undefined || each.path.test(url.pathname)),
    );
    if (fault !== undefined) {
      fault.left -= 1;
      return fail(
        response,
        fault.status,
        fault.code,
        fault.message ?? `Scripted ${fault.code}.`,
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    const path = url.pathname;
    let match = path.match(
      /^\/subscriptions\/[^/]+\/providers\/(Microsoft\.\w+)\/locations\/[^/]+\/operations\/([^/]+)$/,
    );
    if (match !== null) {
      const operation = operations.get(match[2]!);
      if (operation === undefined) return fail(response, 404, 'NotFound', `Operation ${match[2]} not found.`);
      const now = new Date().toISOString();
      if (!operation.done && operation.polls < pollsBeforeDone) {
        operation.polls += 1;
        return send(
          response,
          200,
          { name: match[2], status: 'InProgress', startTime: now },
          { 'retry-after': '0' },
        );
      }
      if (!operation.done) {
        operation.done = true;
        operation.finish();
      }
      return send(response, 200, { name: match[2], status: 'Succeeded', startTime: now, endTime: now });
    }
    match = path.match(/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/skus$/);
    if (match !== null) return send(response, 200, { value: SKUS });
    match = path.match(
      /^\/subscriptions\/[^/]+(?:\/resourceGroups\/([^/]+))?\/providers\/Microsoft\.Compute\/virtualMachines$/,
    );
    if (match !== null && request.method === 'GET') return handleVmList(response, url, match[1]);
    match = path.match(
      /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)(?:\/(\w+))?$/,
    );
    if (match !== null)
      return handleVm(request, response, url, match[1]!, decodeURIComponent(match[2]!), match[3], body);
    match = path.match(
      /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkInterfaces\/([^/]+)$/,
    );
    if (match !== null) return handleNic(request, response, match[1]!, decodeURIComponent(match[2]!), body);
    return fail(response, 400, 'InvalidResourceType', `The fake does not serve ${request.method} ${path}.`);
  };

  const server: Server = createServer({ key, cert }, (request, response) => {
    route(request, response).catch((error: unknown) => {
      fail(response, 500, 'InternalServerError', String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The fake ARM server has no port.');
  base = `https://127.0.0.1:${address.port}`;
  return {
    url: base,
    ca: cert,
    requests,
    violations,
    alteredNextLinks,
    vms,
    nics,
    fault: (...scripts) => faults.push(...scripts.map((script) => ({ ...script, left: script.times ?? 1 }))),
    plant(name, change) {
      const vm = [...vms.values()].find((each) => each.name === name);
      if (vm === undefined) throw new Error(`No VM named ${name} on the fake.`);
      Object.assign(vm, change);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
