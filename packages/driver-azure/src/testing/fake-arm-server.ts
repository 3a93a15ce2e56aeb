import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { resolve } from 'node:path';
import { assertKnownOptions, type OptionKeys } from '@novacron/core/driver';
import type { AzureCredential } from '../azure-driver-options.js';
import { type ArmContract, type ContractViolation, loadArmContract } from './arm-contract.js';
import {
  FAKE_IMAGES,
  FAKE_LOCATION,
  FAKE_SKUS,
  FAKE_SUBNET_ID,
  FAKE_SUBSCRIPTION,
  hasFakeImage,
} from './fake-arm-catalog.js';
import { makeLoopbackCertificate } from './fake-arm-certificate.js';

/** The fixed bearer token the fake accepts; {@link fakeArmCredential} hands it out. */
export const FAKE_TOKEN = 'fake-arm-token';

/** A credential for the SDK clients that returns {@link FAKE_TOKEN} (no identity provider is reachable offline). */
export const fakeArmCredential: AzureCredential = {
  getToken: async () => ({ token: FAKE_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** The api-version the fake writes into its `nextLink`s: unlike the client's, as ARM may do. */
export const NEXT_LINK_API_VERSION = '2025-04-01';

/** Which requests a scripted fault applies to. */
export interface FaultMatch {
  /** The HTTP method. Default: any. */
  method?: string;
  /** Matched against the path (no query). Default: any. */
  path?: RegExp;
  /** How many matching requests the fault applies to. Default 1. */
  times?: number;
}

/** The request is answered `status` with ARM's error body `{ error: { code, message } }`, and nothing is done. */
export interface ErrorFault extends FaultMatch {
  status: number;
  code: string;
  message?: string;
  /** Sent as `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
}

/**
 * The request is accepted (201/202) but its long-running operation ends `Failed` with this vendor error, as Compute
 * reports `AllocationFailed` or `SkuNotAvailable` after accepting a PUT. The SDK then throws a bare `Error`.
 */
export interface FailedOperationFault extends FaultMatch {
  operationError: { code: string; message?: string };
  /**
   * A VM whose create failed stays, with provisioning state `Failed`, as ARM sometimes leaves it. Default false: the
   * VM is gone, as when the platform rolls a failed create back.
   */
  keepResource?: boolean;
}

/** The request is carried out, but its response is lost: the connection is dropped instead of answered. */
export interface LostResponseFault extends FaultMatch {
  loseResponse: true;
}

/** A scripted failure for the next matching requests. */
export type FaultScript = ErrorFault | FailedOperationFault | LostResponseFault;

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** A VM's power state as the instance view reports it (`PowerState/<state>`); `undefined` reports none. */
export type FakePowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

/** One VM as the fake keeps it (the wire shape's `properties`, without secrets). */
export interface FakeVm {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  zones?: string[];
  properties: Record<string, unknown>;
  provisioningState: string;
  power: FakePowerState | undefined;
  /** Extra instance-view statuses a test plants (a failed extension, a failed provisioning code). */
  extraStatuses: Array<{ code: string; level?: string; displayStatus?: string; message?: string }>;
}

/** One network interface as the fake keeps it. */
export interface FakeNic {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  /** The VM it is attached to. */
  attachedTo?: string;
}

/** One public IP address; `address` is absent until one is assigned (a dynamic IP of a deallocated VM). */
export interface FakePublicIp {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  address?: string;
  /** The NIC IP configuration it is bound to. */
  ipConfigurationId?: string;
}

/** Options of {@link startFakeArm}. */
export interface FakeArmOptions {
  /**
   * A local copy of Microsoft's published contract, which every VM and NIC request body is checked against (ajv
   * over the ARM JSON Schemas of the api-versions the SDK sends). The folder holds, at these paths:
   * `arm-schemas/schemas/2026-03-01/Microsoft.Compute.json`, `arm-schemas/schemas/2025-05-01/Microsoft.Network.NRP.json`
   * and `arm-schemas/schemas/common/definitions.json` from `Azure/azure-resource-manager-schemas`, and the swagger
   * folders `rest-api-specs/specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2024-07-01/` and
   * `rest-api-specs/specification/network/resource-manager/Microsoft.Network/stable/2024-05-01/` from
   * `Azure/azure-rest-api-specs` (their `x-ms-enum.modelAsString` marks say which enums are open). Default: none;
   * then `validateRequests: false` must be said.
   */
  contracts?: string | undefined;
  /**
   * Whether request bodies are checked. On whenever `contracts` is given; without contracts it must be set to
   * `false` explicitly, so that nobody runs an unchecked fake by accident (the flat-model trap, where the SDK drops
   * a misplaced field without a word, then goes unseen).
   */
  validateRequests?: boolean | undefined;
  /** VMs (and NICs, and public IPs) per list page. Default 40. */
  pageSize?: number | undefined;
  /** Serve an empty page (with a `nextLink`) before every real page of VMs. Default true. */
  emptyPages?: boolean | undefined;
  /** Leave `name` out of VM list items, as Microsoft's MinimumSet examples do. Default true. */
  omitNamesInLists?: boolean | undefined;
  /** Polls an operation answers `InProgress` before it ends. Default 1. */
  pollsBeforeDone?: number | undefined;
  /** Subnets that exist. Default one: {@link FAKE_SUBNET_ID}. */
  subnets?: string[] | undefined;
}

const OPTION_KEYS: OptionKeys<FakeArmOptions> = {
  contracts: true,
  validateRequests: true,
  pageSize: true,
  emptyPages: true,
  omitNamesInLists: true,
  pollsBeforeDone: true,
  subnets: true,
};

/** A running fake ARM endpoint and its state, for assertions. */
export interface FakeArm {
  /** `https://127.0.0.1:PORT`: the driver's `endpoint`. */
  readonly url: string;
  /** The throwaway CA certificate (PEM) the SDK must trust: the driver's `tlsOptions: { ca }`. */
  readonly ca: string;
  /** Every request received, in order (count them to see what a call costs); admin passwords are masked. */
  readonly requests: RecordedRequest[];
  /** Bodies the contract refused (each also answered 400). A test run should end with none. */
  readonly violations: ContractViolation[];
  /** `nextLink`s requested with anything other than the exact link given. */
  readonly alteredNextLinks: string[];
  /** VMs by `<group>/<name>`, lower case. */
  readonly vms: Map<string, FakeVm>;
  /** NICs by resource id, lower case. */
  readonly nics: Map<string, FakeNic>;
  /** Public IPs by resource id, lower case. */
  readonly publicIps: Map<string, FakePublicIp>;
  /** Queues scripted failures; the first unspent script that matches a request applies. */
  fault(...scripts: FaultScript[]): void;
  /** Sets a VM's state directly (as the platform would), for state tests. */
  plant(name: string, change: Partial<Pick<FakeVm, 'provisioningState' | 'power' | 'extraStatuses'>>): void;
  /**
   * Makes a public IP `<nic>-ip` and binds it to the NIC's first IP configuration, as a user would outside
   * NovaCron. Without `address` it has none yet. Returns the public IP's resource id.
   */
  attachPublicIp(nicName: string, address?: string): string;
  close(): Promise<void>;
}

interface PendingOperation {
  polls: number;
  done: boolean;
  finish: () => void;
  failure?: { error: { code: string; message: string }; undo: () => void };
}

const contracts = new Map<string, ArmContract>();

/** A VM body with `osProfile.adminPassword` masked, so the fake's records never hold a secret a test printed. */
function withoutPassword(body: unknown): unknown {
  const osProfile = (body as { properties?: { osProfile?: Record<string, unknown> } } | undefined)?.properties
    ?.osProfile;
  if (osProfile?.adminPassword === undefined) return body;
  const properties = (body as { properties: Record<string, unknown> }).properties;
  return {
    ...(body as Record<string, unknown>),
    properties: { ...properties, osProfile: { ...osProfile, adminPassword: '[redacted]' } },
  };
}

function contractFor(options: FakeArmOptions): ArmContract | undefined {
  if (options.contracts === undefined) {
    if (options.validateRequests === false) return undefined;
    throw new TypeError(
      "startFakeArm needs the folder of Microsoft's published contract to check request bodies: startFakeArm({ contracts: '/path/to/azure-contracts' }) (see the contracts option for the files it reads). To run without checking bodies, say so: startFakeArm({ validateRequests: false }).",
    );
  }
  if (options.validateRequests === false) {
    throw new TypeError(
      'startFakeArm: validateRequests: false contradicts contracts (bodies are always checked when contracts are given). Drop one of the two.',
    );
  }
  const dir = resolve(options.contracts);
  let contract = contracts.get(dir);
  if (contract === undefined) {
    contract = loadArmContract(dir);
    contracts.set(dir, contract);
  }
  return contract;
}

/**
 * Starts a stateful fake of Azure Resource Manager (Compute VMs, marketplace images and resource SKUs; Network NICs
 * and public IPs) on 127.0.0.1 over https, written from Microsoft's published contract: PUTs answer 201 with
 * `Azure-AsyncOperation`, actions 202 with an operation to poll, lists page with absolute `nextLink`s, errors are
 * `{ error: { code, message } }`, and with `contracts` every VM and NIC body is checked against the ARM JSON Schemas
 * (a refused body is a 400 and is recorded in `violations`). Point the real SDK clients at it with the driver's
 * `endpoint: fake.url`, `tlsOptions: { ca: fake.ca }` and `credential: fakeArmCredential`.
 *
 * @throws TypeError for unknown options, for neither `contracts` nor `validateRequests: false`, and for a contracts
 * folder that lacks a file.
 *
 * @example
 * const fake = await startFakeArm({ contracts: process.env.AZURE_CONTRACTS! });
 * const driver = createAzureDriver({ subscriptionId: FAKE_SUBSCRIPTION, resourceGroup: FAKE_RESOURCE_GROUP,
 *   location: FAKE_LOCATION, credential: fakeArmCredential, endpoint: fake.url, tlsOptions: { ca: fake.ca } });
 * // ... then: expect(fake.violations).toEqual([]); await fake.close();
 */
export async function startFakeArm(options: FakeArmOptions): Promise<FakeArm> {
  assertKnownOptions('startFakeArm', options, OPTION_KEYS);
  const contract = contractFor(options);
  const pageSize = options.pageSize ?? 40;
  const emptyPages = options.emptyPages ?? true;
  const omitNames = options.omitNamesInLists ?? true;
  const pollsBeforeDone = options.pollsBeforeDone ?? 1;
  const subnets = new Set((options.subnets ?? [FAKE_SUBNET_ID]).map((id) => id.toLowerCase()));
  const { key, cert } = makeLoopbackCertificate();
  const requests: RecordedRequest[] = [];
  const violations: ContractViolation[] = [];
  const alteredNextLinks: string[] = [];
  const issuedNextLinks = new Set<string>();
  const vms = new Map<string, FakeVm>();
  const nics = new Map<string, FakeNic>();
  const publicIps = new Map<string, FakePublicIp>();
  const operations = new Map<string, PendingOperation>();
  const faults: Array<FaultScript & { left: number }> = [];
  /** Responses to drop instead of send (a lost-response fault). */
  const lost = new WeakSet<ServerResponse>();
  /** The failure a request's operation ends with (a failed-operation fault). */
  const failing = new WeakMap<ServerResponse, FailedOperationFault>();
  let base = '';

  const send = (
    response: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (lost.has(response)) {
      response.socket?.destroy();
      return;
    }
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': randomUUID(),
      ...headers,
    });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const fail = (
    response: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) => send(response, status, { error: { code, message } }, headers);

  /** Starts a long-running operation: `finish` runs when it succeeds, `undo` when a fault makes it fail. */
  const startOperation = (
    response: ServerResponse,
    provider: string,
    location: string,
    finish: () => void,
    undo: (fault: FailedOperationFault) => void = () => undefined,
  ): string => {
    const id = randomUUID();
    const fault = failing.get(response);
    operations.set(id, {
      polls: 0,
      done: false,
      finish,
      ...(fault === undefined
        ? {}
        : {
            failure: {
              error: {
                code: fault.operationError.code,
                message: fault.operationError.message ?? `Scripted ${fault.operationError.code}.`,
              },
              undo: () => undo(fault),
            },
          }),
    });
    return `${base}/subscriptions/${FAKE_SUBSCRIPTION}/providers/${provider}/locations/${location}/operations/${id}?api-version=2026-03-01`;
  };
  const accepted = (response: ServerResponse, operationUrl: string, status = 202, body?: unknown) =>
    send(response, status, body, {
      'azure-asyncoperation': operationUrl,
      location: operationUrl,
      'retry-after': '0',
    });
  const refuseBody = (
    response: ServerResponse,
    resource: ContractViolation['resource'],
    body: unknown,
  ): boolean => {
    const refused =
      contract?.check(resource, body) ??
      (typeof (body as { properties?: unknown } | undefined)?.properties === 'object'
        ? []
        : ['/ must have an object `properties`']);
    if (refused.length === 0) return false;
    violations.push({ resource, errors: refused, body: withoutPassword(body) });
    fail(response, 400, 'InvalidRequestContent', `The request content was invalid: ${refused.join('; ')}`);
    return true;
  };

  const vmKey = (group: string, name: string) => `${group.toLowerCase()}/${name.toLowerCase()}`;
  const resourceId = (group: string, type: string, name: string) =>
    `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${group}/providers/${type}/${name}`;
  const vmId = (group: string, name: string) => resourceId(group, 'Microsoft.Compute/virtualMachines', name);

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

  const publicIpView = (ip: FakePublicIp) => ({
    id: ip.id,
    name: ip.name,
    type: 'Microsoft.Network/publicIPAddresses',
    location: ip.location,
    properties: {
      provisioningState: 'Succeeded',
      publicIPAddressVersion: 'IPv4',
      publicIPAllocationMethod: 'Dynamic',
      idleTimeoutInMinutes: 4,
      ...(ip.address === undefined ? {} : { ipAddress: ip.address }),
      ...(ip.ipConfigurationId === undefined ? {} : { ipConfiguration: { id: ip.ipConfigurationId } }),
    },
  });

  const nextLinkFor = (url: URL, token: string) => {
    const link = new URL(url.href);
    link.searchParams.set('$skiptoken', token);
    link.searchParams.set('api-version', NEXT_LINK_API_VERSION);
    issuedNextLinks.add(link.href);
    return link.href;
  };

  /** A page of `all` (sorted by id) after the `$skiptoken` position, the id of the last item served. */
  const sendPage = <T extends { id: string }>(
    response: ServerResponse,
    url: URL,
    all: T[],
    view: (item: T) => unknown,
    withEmptyPages: boolean,
  ) => {
    const token = url.searchParams.get('$skiptoken');
    if (token !== null && !issuedNextLinks.has(url.href)) alteredNextLinks.push(url.href);
    const empty = token === null ? withEmptyPages : token.startsWith('e');
    const after = token === null ? '' : token.replace(/^[er]:/, '');
    if (empty) return send(response, 200, { value: [], nextLink: nextLinkFor(url, `r:${after}`) });
    // Positions are ids, so resources made or deleted meanwhile never shift the others.
    const rest = [...all]
      .sort((a, b) => a.id.localeCompare(b.id))
      .filter((item) => item.id.localeCompare(after) > 0);
    const page = rest.slice(0, pageSize);
    const body: Record<string, unknown> = { value: page.map(view) };
    const last = page.at(-1);
    if (rest.length > pageSize && last !== undefined) {
      body.nextLink = nextLinkFor(url, `${withEmptyPages ? 'e' : 'r'}:${last.id}`);
    }
    return send(response, 200, body);
  };

  const inGroup = (group: string | undefined) => (item: { resourceGroup: string }) =>
    group === undefined || item.resourceGroup.toLowerCase() === group.toLowerCase();

  const notFound = (response: ServerResponse, type: string, name: string, group: string) =>
    fail(
      response,
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );

  const detachNics = (vm: FakeVm, deleteMarked: boolean) => {
    const references =
      ((vm.properties.networkProfile as { networkInterfaces?: unknown[] } | undefined)?.networkInterfaces as
        | Array<{ id: string; properties?: { deleteOption?: string } }>
        | undefined) ?? [];
    for (const reference of references) {
      const nicKey = reference.id.toLowerCase();
      const nic = nics.get(nicKey);
      if (nic === undefined || nic.attachedTo?.toLowerCase() !== vm.id.toLowerCase()) continue;
      // NICs whose deleteOption is Delete go with the VM; the others are detached and stay.
      if (deleteMarked && reference.properties?.deleteOption === 'Delete') nics.delete(nicKey);
      else delete nic.attachedTo;
    }
  };

  const handleVmAction = (
    request: IncomingMessage,
    response: ServerResponse,
    vm: FakeVm | undefined,
    group: string,
    name: string,
    action: string,
  ) => {
    if (request.method !== 'POST') return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
    if (vm === undefined || vm.provisioningState === 'Deleting') {
      return notFound(response, 'Microsoft.Compute/virtualMachines', name, group);
    }
    if (action === 'restart' && vm.power !== 'running') {
      return fail(
        response,
        409,
        'OperationNotAllowed',
        `Operation 'restart' is not allowed on VM '${name}' since the VM is ${vm.power ?? 'not running'}.`,
      );
    }
    const transitions: Record<string, [FakePowerState, FakePowerState] | undefined> = {
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
      startOperation(
        response,
        'Microsoft.Compute',
        vm.location,
        () => {
          vm.power = after;
        },
        () => {
          vm.power = from;
        },
      ),
    );
  };

  /** What Compute itself refuses in a VM PUT that the schema lets through; `undefined` when nothing. */
  const vmPutRefusal = (
    group: string,
    name: string,
    input: { location: string; properties: Record<string, unknown> },
  ): [number, string, string] | undefined => {
    const size = (input.properties.hardwareProfile as { vmSize?: string } | undefined)?.vmSize;
    const known = FAKE_SKUS.find((each) => each.resourceType === 'virtualMachines' && each.name === size);
    if (known === undefined) {
      return [
        400,
        'InvalidParameter',
        `The requested VM size ${size} is not available in the current region.`,
      ];
    }
    if (known.restrictions.length > 0) {
      return [
        409,
        'SkuNotAvailable',
        `The requested size for resource '${vmId(group, name)}' is currently not available in location '${input.location}'.`,
      ];
    }
    const image = (input.properties.storageProfile as { imageReference?: Record<string, string> } | undefined)
      ?.imageReference;
    if (image?.publisher !== undefined) {
      const { publisher, offer = '', sku = '', version = '' } = image;
      if (!hasFakeImage(publisher, offer, sku, version)) {
        return [
          404,
          'PlatformImageNotFound',
          `The platform image '${publisher}:${offer}:${sku}:${version}' is not available. Verify that all fields in the storage profile are correct.`,
        ];
      }
    }
    const osProfile = input.properties.osProfile as
      | { computerName?: string; windowsConfiguration?: unknown }
      | undefined;
    if (osProfile?.windowsConfiguration !== undefined && (osProfile.computerName ?? name).length > 15) {
      return [
        400,
        'InvalidParameter',
        'Windows computer name cannot be more than 15 characters long, be entirely numeric, or contain the following characters: ` ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . \' " , < > / ?.',
      ];
    }
    const references =
      (input.properties.networkProfile as { networkInterfaces?: Array<{ id: string }> } | undefined)
        ?.networkInterfaces ?? [];
    for (const reference of references) {
      const nic = nics.get(reference.id.toLowerCase());
      if (nic === undefined) {
        return [
          400,
          'InvalidResourceReference',
          `Resource ${reference.id} referenced by resource ${vmId(group, name)} was not found.`,
        ];
      }
      if (nic.attachedTo !== undefined && nic.attachedTo.toLowerCase() !== vmId(group, name).toLowerCase()) {
        return [400, 'NicInUse', `Network interface ${reference.id} is used by ${nic.attachedTo}.`];
      }
    }
    return undefined;
  };

  const handleVm = (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    group: string,
    name: string,
    body: unknown,
  ) => {
    const key = vmKey(group, name);
    const vm = vms.get(key);
    if (request.method === 'GET') {
      if (vm === undefined) return notFound(response, 'Microsoft.Compute/virtualMachines', name, group);
      return send(response, 200, vmView(vm, url.searchParams.get('$expand') === 'instanceView', false));
    }
    if (request.method === 'DELETE') {
      if (vm === undefined) return send(response, 204);
      const before = vm.provisioningState;
      vm.provisioningState = 'Deleting';
      return accepted(
        response,
        startOperation(
          response,
          'Microsoft.Compute',
          vm.location,
          () => {
            vms.delete(key);
            detachNics(vm, true);
          },
          () => {
            vm.provisioningState = before;
          },
        ),
      );
    }
    if (request.method !== 'PUT') return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
    if (refuseBody(response, 'virtualMachines', body)) return;
    const input = body as {
      location: string;
      tags?: Record<string, string>;
      zones?: string[];
      properties: Record<string, unknown>;
    };
    const refusal = vmPutRefusal(group, name, input);
    if (refusal !== undefined) return fail(response, ...refusal);
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
    const references =
      (input.properties.networkProfile as { networkInterfaces?: Array<{ id: string }> } | undefined)
        ?.networkInterfaces ?? [];
    for (const reference of references) {
      const nic = nics.get(reference.id.toLowerCase());
      if (nic !== undefined) nic.attachedTo = record.id;
    }
    const operation = startOperation(
      response,
      'Microsoft.Compute',
      input.location,
      () => {
        record.provisioningState = 'Succeeded';
        // A VM the PUT made (or a failed one it finished) is running now; the failure's statuses are gone.
        if (record.power === 'starting' || record.power === undefined) record.power = 'running';
        record.extraStatuses = record.extraStatuses.filter(
          (each) => !each.code.startsWith('ProvisioningState/failed'),
        );
      },
      (fault) => {
        if (created && fault.keepResource !== true) {
          vms.delete(key);
          detachNics(record, false);
          return;
        }
        record.provisioningState = 'Failed';
        record.power = undefined;
        record.extraStatuses = [
          { code: `ProvisioningState/failed/${fault.operationError.code}`, level: 'Error' },
        ];
      },
    );
    return accepted(response, operation, created ? 201 : 200, vmView(record, false, false));
  };

  const handleNic = (
    request: IncomingMessage,
    response: ServerResponse,
    group: string,
    name: string,
    body: unknown,
  ) => {
    const id = resourceId(group, 'Microsoft.Network/networkInterfaces', name);
    const key = id.toLowerCase();
    const nic = nics.get(key);
    if (request.method === 'GET') {
      if (nic === undefined) return notFound(response, 'Microsoft.Network/networkInterfaces', name, group);
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
        startOperation(response, 'Microsoft.Network', nic.location, () => undefined),
      );
    }
    if (request.method !== 'PUT') return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
    if (refuseBody(response, 'networkInterfaces', body)) return;
    const input = body as {
      location: string;
      tags?: Record<string, string>;
      properties: { ipConfigurations?: Array<{ name?: string; properties?: Record<string, unknown> }> };
    };
    const configurations = input.properties.ipConfigurations ?? [];
    for (const configuration of configurations) {
      const subnet = (configuration.properties?.subnet as { id?: string } | undefined)?.id ?? '';
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
    const previous = nic?.properties.ipConfigurations as
      | Array<{ properties: { privateIPAddress: string } }>
      | undefined;
    const record: FakeNic = {
      id,
      name,
      resourceGroup: group,
      location: input.location,
      tags: input.tags ?? {},
      properties: {
        ...input.properties,
        ipConfigurations: configurations.map((configuration, index) => {
          const configurationName = configuration.name ?? `ipconfig${index + 1}`;
          return {
            name: configurationName,
            id: `${id}/ipConfigurations/${configurationName}`,
            properties: {
              ...configuration.properties,
              privateIPAddress: previous?.[index]?.properties.privateIPAddress ?? `10.0.${third}.${octet}`,
              provisioningState: 'Succeeded',
            },
          };
        }),
        macAddress: '00-0D-3A-00-00-01',
      },
      ...(nic?.attachedTo === undefined ? {} : { attachedTo: nic.attachedTo }),
    };
    nics.set(key, record);
    return accepted(
      response,
      startOperation(
        response,
        'Microsoft.Network',
        input.location,
        () => undefined,
        () => {
          if (nic === undefined) nics.delete(key);
        },
      ),
      nic === undefined ? 201 : 200,
      nicView(record),
    );
  };

  /** `virtualMachineImages`: publishers, offers, SKUs, versions of {@link FAKE_IMAGES}, each `{ name, location, id }`. */
  const handleImages = (response: ServerResponse, location: string, segments: string[]) => {
    const [publisher, offer, sku] = [segments[0], segments[4], segments[6]];
    const pick = <T>(record: Readonly<Record<string, T>>, wanted: string | undefined): T | undefined =>
      Object.entries(record).find(([each]) => each.toLowerCase() === wanted?.toLowerCase())?.[1];
    const inLocation = location.toLowerCase() === FAKE_LOCATION;
    let prefix = `/Subscriptions/${FAKE_SUBSCRIPTION}/Providers/Microsoft.Compute/Locations/${location}/Publishers`;
    let names: string[] = inLocation ? Object.keys(FAKE_IMAGES) : [];
    if (publisher !== undefined) {
      const offers = pick(FAKE_IMAGES, publisher);
      if (offers === undefined || !inLocation) return notFound(response, 'publishers', publisher, location);
      prefix += `/${publisher}/ArtifactTypes/VMImage/Offers`;
      names = Object.keys(offers);
      if (offer !== undefined) {
        const skus = pick(offers, offer);
        if (skus === undefined) return notFound(response, 'offers', offer, location);
        prefix += `/${offer}/Skus`;
        names = Object.keys(skus);
        if (sku !== undefined) {
          const versions = pick(skus, sku);
          if (versions === undefined) return notFound(response, 'skus', sku, location);
          prefix += `/${sku}/Versions`;
          names = versions;
        }
      }
    }
    return send(
      response,
      200,
      names.map((name) => ({ name, location, id: `${prefix}/${name}` })),
    );
  };

  const handlePublicIp = (
    request: IncomingMessage,
    response: ServerResponse,
    group: string,
    name: string,
  ) => {
    if (request.method !== 'GET') return fail(response, 405, 'MethodNotAllowed', request.method ?? '');
    const ip = publicIps.get(resourceId(group, 'Microsoft.Network/publicIPAddresses', name).toLowerCase());
    if (ip === undefined) return notFound(response, 'Microsoft.Network/publicIPAddresses', name, group);
    return send(response, 200, publicIpView(ip));
  };

  const handleOperation = (response: ServerResponse, id: string) => {
    const operation = operations.get(id);
    if (operation === undefined) return fail(response, 404, 'NotFound', `Operation ${id} not found.`);
    const now = new Date().toISOString();
    if (!operation.done && operation.polls < pollsBeforeDone) {
      operation.polls += 1;
      return send(response, 200, { name: id, status: 'InProgress', startTime: now }, { 'retry-after': '0' });
    }
    if (!operation.done) {
      operation.done = true;
      if (operation.failure === undefined) operation.finish();
      else operation.failure.undo();
    }
    if (operation.failure !== undefined) {
      return send(response, 200, {
        name: id,
        status: 'Failed',
        startTime: now,
        endTime: now,
        error: operation.failure.error,
      });
    }
    return send(response, 200, { name: id, status: 'Succeeded', startTime: now, endTime: now });
  };

  /** Applies the first matching fault; true when it answered the request. */
  const applyFault = (request: IncomingMessage, response: ServerResponse, url: URL): boolean => {
    const fault = faults.find(
      (each) =>
        each.left > 0 &&
        (each.method === undefined || each.method === request.method) &&
        (each.path === undefined || each.path.test(url.pathname)),
    );
    if (fault === undefined) return false;
    fault.left -= 1;
    if ('loseResponse' in fault) {
      lost.add(response);
      return false;
    }
    if ('operationError' in fault) {
      failing.set(response, fault);
      return false;
    }
    fail(
      response,
      fault.status,
      fault.code,
      fault.message ?? `Scripted ${fault.code}.`,
      fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
    );
    return true;
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
      body: withoutPassword(body),
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
    if (applyFault(request, response, url)) return;
    const path = url.pathname;
    const subscription = '^/subscriptions/[^/]+';
    const group = `${subscription}/resourceGroups/([^/]+)`;
    const name = (found: RegExpExecArray, index: number) => decodeURIComponent(found[index]!);
    // [method (undefined: any), path pattern, handler of the match]; the first route that matches answers.
    const routes: Array<[string | undefined, string, (found: RegExpExecArray) => void]> = [
      [
        undefined,
        `${subscription}/providers/Microsoft\\.\\w+/locations/[^/]+/operations/([^/]+)`,
        (found) => handleOperation(response, found[1]!),
      ],
      [
        'GET',
        `${subscription}/providers/Microsoft\\.Compute/skus`,
        () => send(response, 200, { value: FAKE_SKUS }),
      ],
      [
        'GET',
        `${subscription}/providers/Microsoft\\.Compute/locations/([^/]+)/publishers(/.*)?`,
        (found) =>
          handleImages(
            response,
            found[1]!,
            (found[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent),
          ),
      ],
      [
        'GET',
        `${subscription}(?:/resourceGroups/([^/]+))?/providers/Microsoft\\.Compute/virtualMachines`,
        (found) =>
          sendPage(
            response,
            url,
            [...vms.values()].filter(inGroup(found[1])),
            (vm) => vmView(vm, url.searchParams.get('$expand') === 'instanceView', true),
            emptyPages,
          ),
      ],
      [
        undefined,
        `${group}/providers/Microsoft\\.Compute/virtualMachines/([^/]+)/(\\w+)`,
        (found) =>
          handleVmAction(
            request,
            response,
            vms.get(vmKey(found[1]!, name(found, 2))),
            found[1]!,
            name(found, 2),
            found[3]!,
          ),
      ],
      [
        undefined,
        `${group}/providers/Microsoft\\.Compute/virtualMachines/([^/]+)`,
        (found) => handleVm(request, response, url, found[1]!, name(found, 2), body),
      ],
      [
        'GET',
        `${group}/providers/Microsoft\\.Network/networkInterfaces`,
        (found) => sendPage(response, url, [...nics.values()].filter(inGroup(found[1])), nicView, false),
      ],
      [
        undefined,
        `${group}/providers/Microsoft\\.Network/networkInterfaces/([^/]+)`,
        (found) => handleNic(request, response, found[1]!, name(found, 2), body),
      ],
      [
        'GET',
        `${group}/providers/Microsoft\\.Network/publicIPAddresses`,
        (found) =>
          sendPage(response, url, [...publicIps.values()].filter(inGroup(found[1])), publicIpView, false),
      ],
      [
        undefined,
        `${group}/providers/Microsoft\\.Network/publicIPAddresses/([^/]+)`,
        (found) => handlePublicIp(request, response, found[1]!, name(found, 2)),
      ],
    ];
    for (const [method, pattern, handle] of routes) {
      if (method !== undefined && method !== request.method) continue;
      const found = new RegExp(`${pattern}$`, 'i').exec(path);
      if (found !== null) return handle(found);
    }
    return fail(response, 400, 'InvalidResourceType', `The fake does not serve ${request.method} ${path}.`);
  };

  const server: Server = createServer({ key, cert }, (request, response) => {
    route(request, response).catch((error: unknown) => {
      fail(response, 500, 'InternalServerError', String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
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
    publicIps,
    fault: (...scripts) => faults.push(...scripts.map((script) => ({ ...script, left: script.times ?? 1 }))),
    plant(name, change) {
      const vm = [...vms.values()].find((each) => each.name === name);
      if (vm === undefined) throw new Error(`No VM named ${name} on the fake.`);
      Object.assign(vm, change);
    },
    attachPublicIp(nicName, ipAddress) {
      const nic = [...nics.values()].find((each) => each.name === nicName);
      if (nic === undefined) throw new Error(`No NIC named ${nicName} on the fake.`);
      const [configuration] = nic.properties.ipConfigurations as Array<{
        id: string;
        properties: Record<string, unknown>;
      }>;
      if (configuration === undefined) throw new Error(`NIC ${nicName} has no IP configuration.`);
      const name = `${nicName}-ip`;
      const id = resourceId(nic.resourceGroup, 'Microsoft.Network/publicIPAddresses', name);
      publicIps.set(id.toLowerCase(), {
        id,
        name,
        resourceGroup: nic.resourceGroup,
        location: nic.location,
        ipConfigurationId: configuration.id,
        ...(ipAddress === undefined ? {} : { address: ipAddress }),
      });
      configuration.properties.publicIPAddress = { id };
      return id;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
