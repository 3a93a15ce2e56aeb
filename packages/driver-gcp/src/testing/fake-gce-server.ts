import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_GCE_TOKEN } from './fake-gce-client.js';
import {
  FAKE_IMAGES,
  type FakeGceImage,
  imageView,
  latestOfFamily,
  parseImageUrl,
} from './fake-gce-images.js';
import { GCE_BASE_PATH, routeFakeGce } from './fake-gce-routes.js';
import { GceDiscovery, type GceDiscoveryDocument, readGceDiscovery } from './gce-discovery-schema.js';

/** One request the fake received, after routing. */
export interface GceCall {
  /** The discovery method id (`compute.instances.insert`), or '' for a path no method has. */
  methodId: string;
  /** Path parameters (`project`, `zone`, `instance`...). */
  path: Record<string, string>;
  /** The query string. */
  query: URLSearchParams;
  /** The parsed JSON body, if any. */
  body: unknown;
}

/** What a fault script answers for a call: an error response, a lost response, or undefined to serve it. */
export type GceFault =
  | { status: number; reason: string; message?: string; retryAfterSeconds?: number }
  | { lose: true }
  | undefined;

/** A test's script of faults, consulted before every call. */
export type GceFaultScript = (call: GceCall) => GceFault;

/** A machine type the fake offers in every zone. */
interface MachineTypeRecord {
  name: string;
  guestCpus: number;
  memoryMb: number;
  isSharedCpu?: boolean;
  deprecated?: boolean;
}

const MACHINE_TYPES: MachineTypeRecord[] = [
  { name: 'e2-micro', guestCpus: 2, memoryMb: 1024, isSharedCpu: true },
  { name: 'e2-small', guestCpus: 2, memoryMb: 2048, isSharedCpu: true },
  { name: 'e2-medium', guestCpus: 2, memoryMb: 4096, isSharedCpu: true },
  { name: 'e2-standard-2', guestCpus: 2, memoryMb: 8192 },
  { name: 'e2-standard-4', guestCpus: 4, memoryMb: 16384 },
  { name: 'n1-standard-1', guestCpus: 1, memoryMb: 3840, deprecated: true },
  { name: 'n2-standard-2', guestCpus: 2, memoryMb: 8192 },
];

/** One step of an instance's timeline: the status it has from `at` (ms since epoch). */
interface Phase {
  status: string;
  at: number;
}

interface InstanceRecord {
  resource: Record<string, unknown>;
  zone: string;
  timeline: Phase[];
  /** When a delete finishes, the instance disappears. */
  goneAt?: number;
}

interface OperationRecord {
  resource: Record<string, unknown>;
  doneAt: number;
  error?: { code: string; message: string };
  /** Runs once, when the operation is first seen DONE. */
  onDone?: () => void;
}

/** Options of {@link startFakeGce}. */
export interface FakeGceOptions {
  /**
   * Google's Compute Engine v1 discovery document: a path to its JSON (or gzipped JSON, `.json.gz`) or the parsed
   * document. Download it from https://compute.googleapis.com/$discovery/rest?version=v1 and keep it with your test
   * data. When given, every request is validated against it. Required unless `validateRequests` is `false`.
   */
  discovery?: string | GceDiscoveryDocument | undefined;
  /**
   * Validate every request (path, query, body) against `discovery`; an invalid one is answered 400 and recorded in
   * `violations`. Default: true. `false` is the only way to start without the document, and then nothing is
   * checked (even when a document is given): a driver bug that misnames a field goes unseen.
   */
  validateRequests?: boolean | undefined;
  /** The project the fake serves. Default `novacron-test`. */
  project?: string | undefined;
  /** Its zones. Default `us-central1-a`, `us-central1-b`, `europe-west1-b`. */
  zones?: string[] | undefined;
  /**
   * Zones the aggregated list reports as unreachable (a per-zone `UNREACHABLE` warning and no instances), as the
   * real service does during a zonal outage. Default none.
   */
  unreachableZones?: string[] | undefined;
  /**
   * Public images by project (`debian-cloud`: [...]); `images.list`, `images.get` and `images.getFromFamily` serve
   * them, and an insert whose boot disk names an image not here fails 404. Default: a few Debian and Ubuntu images,
   * one family with a deprecated older image, and an obsolete family.
   */
  images?: Record<string, FakeGceImage[]> | undefined;
  /** Milliseconds each status transition takes. Default 4. */
  stepMs?: number | undefined;
  /** How long `operations.wait` blocks before answering with a RUNNING operation. Default 200 ms. */
  waitCutoffMs?: number | undefined;
  /**
   * How long a `requestId` is remembered: a repeat within this time gets the first Operation and changes nothing.
   * Google keeps them for at least 60 minutes. Default 3,600,000 ms.
   */
  requestIdRetentionMs?: number | undefined;
}

/** A running fake, its state and its hooks. */
export interface FakeGce {
  /** `127.0.0.1`. */
  host: string;
  /** The port it listens on. */
  port: number;
  /** The project it serves. */
  project: string;
  /** Its zones. */
  zones: string[];
  /** Every call, in order. */
  calls: GceCall[];
  /** Every request that broke the discovery document's schemas: a test asserts this stays empty. */
  violations: Array<{ methodId: string; problems: string[] }>;
  /** Whether requests are validated against the discovery document. */
  validating: boolean;
  /** Installs a fault script (undefined removes it). */
  script(script: GceFaultScript | undefined): void;
  /** Sets an instance's status outright (for state-mapping tests). */
  setStatus(zone: string, name: string, status: string): void;
  /** Makes the next operation on this instance finish DONE with this error. */
  failNextOperation(name: string, error: { code: string; message: string }): void;
  /** How many instances exist. */
  instanceCount(): number;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a stateful fake Compute Engine v1 REST server on 127.0.0.1 (a free port), written from Google's discovery
 * document: instances (insert, get, list, aggregatedList, start, stop, reset, suspend, resume, delete), zone
 * operations (get, wait), machine types (get, list), images (list, get, getFromFamily) and zones (list).
 * Every request is validated against the document given as `discovery`; an invalid one is answered 400 and recorded
 * in `violations`.
 *
 * Behaviour modelled on the real service: every change returns a zone Operation that becomes DONE a few ms later
 * (possibly with `error`), `requestId` makes a change idempotent (the same id returns the same Operation, whatever the
 * body, for `requestIdRetentionMs`), statuses move PROVISIONING -> STAGING -> RUNNING and so on over time, `wait`
 * returns after a cut-off even when the operation is still RUNNING, and aggregated lists page with
 * `maxResults`/`pageToken` and carry per-zone warnings (`NO_RESULTS_ON_PAGE`, `UNREACHABLE`).
 *
 * @throws Error when neither `discovery` nor `validateRequests: false` is given, or the document cannot be read.
 *
 * @example
 * const fake = await startFakeGce({ discovery: 'test/data/compute.v1.json' });
 * const authClient = new OAuth2Client(); // from google-auth-library
 * authClient.setCredentials({ access_token: FAKE_GCE_TOKEN });
 * const driver = createGcpDriver({
 *   projectId: fake.project,
 *   zones: fake.zones,
 *   authClient,
 *   clientOptions: fakeGceClientOptions(fake),
 * });
 * // ...and after each test: expect(fake.violations).toEqual([]);
 */
export async function startFakeGce(options: FakeGceOptions = {}): Promise<FakeGce> {
  const validating = options.validateRequests ?? true;
  if (validating && options.discovery === undefined) {
    throw new Error(
      "startFakeGce needs Google's Compute Engine discovery document to validate requests: download it from https://compute.googleapis.com/$discovery/rest?version=v1 and pass { discovery: <its path> }, or pass { validateRequests: false } to run the fake unchecked.",
    );
  }
  const project = options.project ?? 'novacron-test';
  const zones = options.zones ?? ['us-central1-a', 'us-central1-b', 'europe-west1-b'];
  const unreachableZones = options.unreachableZones ?? [];
  const images = options.images ?? FAKE_IMAGES;
  const stepMs = options.stepMs ?? 4;
  const waitCutoffMs = options.waitCutoffMs ?? 200;
  const requestIdRetentionMs = options.requestIdRetentionMs ?? 3_600_000;
  const discovery =
    options.discovery === undefined
      ? undefined
      : new GceDiscovery(
          typeof options.discovery === 'string' ? readGceDiscovery(options.discovery) : options.discovery,
        );
  const validator = validating ? discovery : undefined;
  const instances = new Map<string, InstanceRecord>(); // `${zone}/${name}`
  const operations = new Map<string, OperationRecord>(); // `${zone}/${operation}`
  const byRequestId = new Map<string, { operation: Record<string, unknown>; at: number }>();
  const pendingFailures = new Map<string, { code: string; message: string }>();
  const calls: GceCall[] = [];
  const violations: FakeGce['violations'] = [];
  let faultScript: GceFaultScript | undefined;
  let sequence = 0;
  let base = '';

  const projectUrl = (name = project) => `${base}${GCE_BASE_PATH}projects/${name}`;
  const zoneUrl = (zone: string) => `${projectUrl()}/zones/${zone}`;

  const statusOf = (record: InstanceRecord, now = Date.now()): string => {
    let status = record.timeline[0]?.status ?? 'PROVISIONING';
    for (const phase of record.timeline) if (phase.at <= now) status = phase.status;
    return status;
  };
  /** Replaces the rest of the timeline with `statuses`, one step apart from now. Returns when the last is reached. */
  const schedule = (record: InstanceRecord, statuses: string[]): number => {
    const now = Date.now();
    record.timeline = [
      { status: statusOf(record, now), at: 0 },
      ...statuses.map((status, index) => ({ status, at: now + (index + (index === 0 ? 0 : 1)) * stepMs })),
    ];
    return now + statuses.length * stepMs;
  };
  const live = (zone: string, name: string): InstanceRecord | undefined => {
    const record = instances.get(`${zone}/${name}`);
    if (record?.goneAt !== undefined && record.goneAt <= Date.now()) {
      instances.delete(`${zone}/${name}`);
      return undefined;
    }
    return record;
  };
  const view = (record: InstanceRecord): Record<string, unknown> => ({
    ...record.resource,
    status: statusOf(record),
  });

  const newOperation = (
    zone: string,
    type: string,
    target: string,
    doneAt: number,
    onDone?: () => void,
  ): Record<string, unknown> => {
    sequence += 1;
    const name = `operation-${Date.now()}-${sequence}-${randomUUID().slice(0, 8)}`;
    const resource: Record<string, unknown> = {
      kind: 'compute#operation',
      id: String(7_000_000_000_000 + sequence),
      name,
      operationType: type,
      status: 'RUNNING',
      progress: 0,
      zone: zoneUrl(zone),
      targetLink: `${zoneUrl(zone)}/instances/${target}`,
      targetId: String(sequence),
      selfLink: `${zoneUrl(zone)}/operations/${name}`,
      insertTime: new Date().toISOString(),
      startTime: new Date().toISOString(),
      user: 'tester@novacron-test.iam.gserviceaccount.com',
    };
    const record: OperationRecord = { resource, doneAt, ...(onDone === undefined ? {} : { onDone }) };
    const failure = pendingFailures.get(target);
    if (failure !== undefined) {
      pendingFailures.delete(target);
      record.error = failure;
    }
    operations.set(`${zone}/${name}`, record);
    return resource;
  };
  const operationView = (record: OperationRecord): Record<string, unknown> => {
    if (record.resource.status !== 'DONE' && record.doneAt <= Date.now()) {
      record.resource.status = 'DONE';
      record.resource.progress = 100;
      record.resource.endTime = new Date().toISOString();
      if (record.error !== undefined) {
        record.resource.error = { errors: [record.error] };
        record.resource.httpErrorStatusCode = 400;
        record.resource.httpErrorMessage = 'BAD REQUEST';
      } else {
        record.onDone?.();
      }
    }
    return { ...record.resource };
  };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    response.end(JSON.stringify(body));
  };
  const fail = (response: ServerResponse, status: number, reason: string, message: string, headers = {}) =>
    send(
      response,
      status,
      {
        error: {
          code: status,
          message,
          // The legacy reason list, and the ErrorInfo detail newer Compute errors carry (gax reads only the latter).
          errors: [{ message, domain: 'global', reason }],
          details: [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'compute.googleapis.com' },
          ],
        },
      },
      headers,
    );
  const notFound = (response: ServerResponse, what: string) =>
    fail(response, 404, 'notFound', `The resource '${what}' was not found`);
  const notReady = (response: ServerResponse, what: string, status: string) =>
    fail(response, 400, 'resourceNotReady', `The resource '${what}' is not ready (it is ${status}).`);

  /** The first Operation of a `requestId` still remembered, as it stands now. */
  const earlierOperation = (requestId: string | null): Record<string, unknown> | undefined => {
    if (requestId === null) return undefined;
    const earlier = byRequestId.get(requestId);
    if (earlier === undefined) return undefined;
    if (earlier.at + requestIdRetentionMs <= Date.now()) {
      byRequestId.delete(requestId);
      return undefined;
    }
    const record = operations.get(
      `${String(earlier.operation.zone).split('/').pop()}/${String(earlier.operation.name)}`,
    );
    return record === undefined ? earlier.operation : operationView(record);
  };
  /** A change: served once per requestId; the same requestId answers with the first Operation again. */
  const change = (query: URLSearchParams, make: () => Record<string, unknown> | undefined) => {
    const requestId = query.get('requestId');
    const earlier = earlierOperation(requestId);
    if (earlier !== undefined) return earlier;
    const operation = make();
    if (operation !== undefined && requestId !== null) {
      byRequestId.set(requestId, { operation, at: Date.now() });
    }
    return operation;
  };

  const handle = (call: GceCall, response: ServerResponse) => {
    const { path, query } = call;
    const zone = path.zone ?? '';
    const imageProject =
      call.methodId.startsWith('compute.images.') && Object.hasOwn(images, path.project ?? '');
    if (path.project !== undefined && path.project !== project && !imageProject) {
      return fail(response, 403, 'forbidden', `Project ${path.project} is not served by this fake.`);
    }
    if (path.zone !== undefined && !zones.includes(zone)) {
      return fail(response, 400, 'invalid', `Invalid value for field 'zone': '${zone}'. Unknown zone.`);
    }
    const instanceName = path.instance ?? '';
    const where = `projects/${project}/zones/${zone}/instances/${instanceName}`;
    switch (call.methodId) {
      case 'compute.instances.insert': {
        const body = call.body as Record<string, unknown>;
        const name = String(body.name);
        // A repeated requestId answers with the first Operation before anything else is looked at.
        const missingImage =
          earlierOperation(query.get('requestId')) === undefined ? unknownBootImage(body) : undefined;
        if (missingImage !== undefined) return notFound(response, missingImage);
        const operation = change(query, () => {
          const existing = live(zone, name);
          if (existing !== undefined) {
            pendingFailures.set(name, {
              code: 'RESOURCE_ALREADY_EXISTS',
              message: `The resource 'projects/${project}/zones/${zone}/instances/${name}' already exists`,
            });
            return newOperation(zone, 'insert', name, Date.now() + stepMs);
          }
          sequence += 1;
          const interfaces = (body.networkInterfaces as Array<Record<string, unknown>> | undefined) ?? [];
          const record: InstanceRecord = {
            zone,
            timeline: [{ status: 'PROVISIONING', at: 0 }],
            resource: {
              ...body,
              kind: 'compute#instance',
              id: String(4_000_000_000_000_000 + sequence),
              creationTimestamp: new Date().toISOString(),
              zone: zoneUrl(zone),
              selfLink: `${zoneUrl(zone)}/instances/${name}`,
              labelFingerprint: '42WmSpB8rSM=',
              machineType: String(body.machineType).startsWith('zones/')
                ? `${projectUrl()}/${String(body.machineType)}`
                : body.machineType,
              // initializeParams is input-only: an instance shows its disks as attached persistent disks.
              ...(Array.isArray(body.disks)
                ? {
                    disks: (body.disks as Array<Record<string, unknown>>).map(
                      ({ initializeParams: _, ...disk }, index) => ({
                        ...disk,
                        type: 'PERSISTENT',
                        mode: 'READ_WRITE',
                        index,
                        deviceName: index === 0 ? name : `${name}-${index}`,
                        source: `${zoneUrl(zone)}/disks/${index === 0 ? name : `${name}-${index}`}`,
                      }),
                    ),
                  }
                : {}),
              networkInterfaces: interfaces.map((networkInterface, index) => ({
                ...networkInterface,
                name: `nic${index}`,
                networkIP: `10.128.${Math.floor(sequence / 250) % 250}.${(sequence % 250) + 2}`,
                ...(Array.isArray(networkInterface.accessConfigs)
                  ? {
                      accessConfigs: (networkInterface.accessConfigs as Array<Record<string, unknown>>).map(
                        // A static address keeps its IP; an ephemeral one gets one from the pool.
                        (accessConfig) => ({
                          natIP: `34.10.${sequence % 250}.${index + 1}`,
                          ...accessConfig,
                        }),
                      ),
                    }
                  : {}),
              })),
            },
          };
          instances.set(`${zone}/${name}`, record);
          const runningAt = schedule(record, ['PROVISIONING', 'STAGING', 'RUNNING']);
          return newOperation(zone, 'insert', name, runningAt - stepMs);
        });
        return send(response, 200, operation);
      }
      case 'compute.instances.get': {
        const record = live(zone, instanceName);
        return record === undefined ? notFound(response, where) : send(response, 200, view(record));
      }
      case 'compute.instances.list':
        return send(
          response,
          200,
          pageOfInstances(
            [...instances.values()].filter((record) => record.zone === zone),
            query,
            `${zoneUrl(zone)}/instances`,
          ),
        );
      case 'compute.instances.aggregatedList':
        return send(response, 200, aggregatedPage(query));
      case 'compute.instances.start':
      case 'compute.instances.stop':
      case 'compute.instances.reset':
      case 'compute.instances.suspend':
      case 'compute.instances.resume':
      case 'compute.instances.delete': {
        const record = live(zone, instanceName);
        if (record === undefined && !(query.has('requestId') && byRequestId.has(query.get('requestId')!))) {
          return notFound(response, where);
        }
        const action = call.methodId.split('.').pop() ?? '';
        let refused: string | undefined;
        const operation = change(query, () => {
          if (record === undefined) return undefined;
          const status = statusOf(record);
          const steps = transition(action, status, query.get('noGracefulShutdown') === 'true');
          if (steps === undefined) {
            refused = status;
            return undefined;
          }
          const doneAt = steps.length === 0 ? Date.now() : schedule(record, steps);
          if (action === 'delete') record.goneAt = doneAt;
          return newOperation(zone, action, instanceName, doneAt);
        });
        if (refused !== undefined) return notReady(response, where, refused);
        if (operation === undefined) return notFound(response, where);
        return send(response, 200, operation);
      }
      case 'compute.zoneOperations.get':
      case 'compute.zoneOperations.wait': {
        const record = operations.get(`${zone}/${path.operation}`);
        if (record === undefined) {
          return notFound(response, `projects/${project}/zones/${zone}/operations/${path.operation}`);
        }
        if (call.methodId.endsWith('.get')) return send(response, 200, operationView(record));
        const delay = Math.max(0, Math.min(record.doneAt - Date.now(), waitCutoffMs));
        setTimeout(() => send(response, 200, operationView(record)), delay);
        return;
      }
      case 'compute.machineTypes.list':
        return send(response, 200, {
          kind: 'compute#machineTypeList',
          id: `projects/${project}/zones/${zone}/machineTypes`,
          items: MACHINE_TYPES.map((type) => machineType(type, zone)),
          selfLink: `${zoneUrl(zone)}/machineTypes`,
        });
      case 'compute.machineTypes.get': {
        const type = MACHINE_TYPES.find((each) => each.name === path.machineType);
        return type === undefined
          ? notFound(response, `projects/${project}/zones/${zone}/machineTypes/${path.machineType}`)
          : send(response, 200, machineType(type, zone));
      }
      case 'compute.images.list': {
        const all = images[path.project ?? ''] ?? [];
        const maxResults = Math.min(500, Number(query.get('maxResults') ?? 500));
        const start = query.has('pageToken') ? Number(Buffer.from(query.get('pageToken')!, 'base64url')) : 0;
        const next = start + maxResults;
        return send(response, 200, {
          kind: 'compute#imageList',
          id: `projects/${path.project}/global/images`,
          items: all.slice(start, next).map((image) => imageView(image, projectUrl(path.project))),
          selfLink: `${projectUrl(path.project)}/global/images`,
          ...(next < all.length ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}),
        });
      }
      case 'compute.images.get': {
        const image = images[path.project ?? '']?.find((each) => each.name === path.image);
        return image === undefined
          ? notFound(response, `projects/${path.project}/global/images/${path.image}`)
          : send(response, 200, imageView(image, projectUrl(path.project)));
      }
      case 'compute.images.getFromFamily': {
        const image = latestOfFamily(images[path.project ?? ''] ?? [], path.family ?? '');
        return image === undefined
          ? notFound(response, `projects/${path.project}/global/images/family/${path.family}`)
          : send(response, 200, imageView(image, projectUrl(path.project)));
      }
      case 'compute.zones.list':
        return send(response, 200, {
          kind: 'compute#zoneList',
          id: `projects/${project}/zones`,
          items: zones.map((name, index) => ({
            kind: 'compute#zone',
            id: String(2000 + index),
            name,
            status: 'UP',
            region: `${projectUrl()}/regions/${regionOf(name)}`,
            selfLink: zoneUrl(name),
          })),
          selfLink: `${projectUrl()}/zones`,
        });
      default:
        return fail(response, 501, 'notImplemented', `The fake does not implement ${call.methodId}.`);
    }
  };

  /** The boot image an insert names, when it is not one the fake serves (a family, an image, a full URL). */
  const unknownBootImage = (body: Record<string, unknown>): string | undefined => {
    const disks =
      (body.disks as Array<{ boot?: boolean; initializeParams?: { sourceImage?: string } }>) ?? [];
    const source = disks.find((disk) => disk.boot)?.initializeParams?.sourceImage;
    if (source === undefined) return undefined;
    const parsed = parseImageUrl(source);
    const catalogue = parsed === undefined ? undefined : images[parsed.project];
    const found =
      parsed === undefined || catalogue === undefined
        ? undefined
        : parsed.family
          ? latestOfFamily(catalogue, parsed.name)
          : catalogue.find((image) => image.name === parsed.name);
    return found === undefined ? source : undefined;
  };

  const machineType = (type: MachineTypeRecord, zone: string) => ({
    kind: 'compute#machineType',
    id: String(9000 + MACHINE_TYPES.indexOf(type)),
    name: type.name,
    description: `${type.guestCpus} vCPUs, ${type.memoryMb / 1024} GB RAM`,
    guestCpus: type.guestCpus,
    memoryMb: type.memoryMb,
    isSharedCpu: type.isSharedCpu ?? false,
    maximumPersistentDisks: 128,
    maximumPersistentDisksSizeGb: '263168',
    zone,
    selfLink: `${zoneUrl(zone)}/machineTypes/${type.name}`,
    ...(type.deprecated ? { deprecated: { state: 'DEPRECATED', replacement: 'n2-standard-2' } } : {}),
  });

  /** Instances sorted by zone then name; a page token is the key of the last one handed out, so none is skipped. */
  const sortedLive = (records: InstanceRecord[]) =>
    records
      .filter((record) => live(record.zone, String(record.resource.name)) !== undefined)
      .sort((left, right) =>
        `${left.zone}/${left.resource.name}`.localeCompare(`${right.zone}/${right.resource.name}`),
      );
  const pageSlice = (records: InstanceRecord[], query: URLSearchParams) => {
    const maxResults = Math.min(500, Number(query.get('maxResults') ?? 500));
    const after = query.has('pageToken') ? Buffer.from(query.get('pageToken')!, 'base64url').toString() : '';
    const rest = sortedLive(records).filter((record) => `${record.zone}/${record.resource.name}` > after);
    const page = rest.slice(0, maxResults);
    const last = page.at(-1);
    const nextPageToken =
      rest.length > maxResults && last !== undefined
        ? Buffer.from(`${last.zone}/${String(last.resource.name)}`).toString('base64url')
        : undefined;
    return { page, nextPageToken };
  };
  const pageOfInstances = (records: InstanceRecord[], query: URLSearchParams, selfLink: string) => {
    const { page, nextPageToken } = pageSlice(records, query);
    return {
      kind: 'compute#instanceList',
      id: selfLink,
      items: page.map(view),
      selfLink,
      ...(nextPageToken === undefined ? {} : { nextPageToken }),
    };
  };
  const aggregatedPage = (query: URLSearchParams) => {
    const { page, nextPageToken } = pageSlice([...instances.values()], query);
    const items: Record<string, unknown> = {};
    for (const zone of zones) {
      const inZone = page.filter((record) => record.zone === zone).map(view);
      items[`zones/${zone}`] = unreachableZones.includes(zone)
        ? {
            warning: {
              code: 'UNREACHABLE',
              message: `Scope 'zones/${zone}' is unreachable.`,
              data: [{ key: 'scope', value: `zones/${zone}` }],
            },
          }
        : inZone.length > 0
          ? { instances: inZone }
          : {
              warning: {
                code: 'NO_RESULTS_ON_PAGE',
                message: `There are no results for scope 'zones/${zone}' on this page.`,
                data: [{ key: 'scope', value: `zones/${zone}` }],
              },
            };
    }
    return {
      kind: 'compute#instanceAggregatedList',
      id: `projects/${project}/aggregated/instances`,
      items,
      selfLink: `${projectUrl()}/aggregated/instances`,
      ...(nextPageToken === undefined ? {} : { nextPageToken }),
    };
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', base);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        return fail(response, 400, 'parseError', `The body is not JSON: ${raw.slice(0, 80)}`);
      }
      if (request.headers.authorization !== `Bearer ${FAKE_GCE_TOKEN}`) {
        return fail(response, 401, 'authError', 'Request had invalid authentication credentials.');
      }
      const verb = request.method ?? 'GET';
      const routed = routeFakeGce(verb, url.pathname);
      const call: GceCall = {
        methodId: routed?.id ?? '',
        path: routed?.path ?? {},
        query: url.searchParams,
        body,
      };
      calls.push(call);
      if (routed === undefined) {
        const known = discovery?.route(verb, url.pathname);
        if (known !== undefined) {
          return fail(response, 501, 'notImplemented', `The fake does not implement ${known.method.id}.`);
        }
        if (validating) {
          violations.push({ methodId: '', problems: [`no method serves ${verb} ${url.pathname}`] });
        }
        return fail(response, 404, 'notFound', `No method serves ${verb} ${url.pathname}.`);
      }
      const problems = validator === undefined ? [] : requestProblems(validator, routed, url, body);
      if (problems.length > 0) {
        violations.push({ methodId: routed.id, problems });
        return fail(response, 400, 'invalid', `Invalid request to ${routed.id}: ${problems.join('; ')}`);
      }
      const fault = faultScript?.(call);
      if (fault !== undefined && 'lose' in fault) {
        // The change takes effect, then the connection drops before the answer.
        handle(call, {
          writeHead: () => undefined,
          end: () => request.socket.destroy(),
        } as unknown as ServerResponse);
        return;
      }
      if (fault !== undefined) {
        return fail(
          response,
          fault.status,
          fault.reason,
          fault.message ?? `${fault.reason} (scripted)`,
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
        );
      }
      handle(call, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    project,
    zones,
    calls,
    violations,
    validating,
    script(script) {
      faultScript = script;
    },
    setStatus(zone, name, status) {
      const record = instances.get(`${zone}/${name}`);
      if (record === undefined) throw new Error(`no instance ${zone}/${name}`);
      record.timeline = [{ status, at: 0 }];
    },
    failNextOperation(name, error) {
      pendingFailures.set(name, error);
    },
    instanceCount: () => sortedLive([...instances.values()]).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The statuses an action walks through from `status`; [] = nothing to do; undefined = refused (not ready). */
function transition(action: string, status: string, noGracefulShutdown: boolean): string[] | undefined {
  switch (action) {
    case 'start':
      if (status === 'RUNNING' || status === 'STAGING' || status === 'PROVISIONING') return [];
      return status === 'TERMINATED' || status === 'STOPPED' ? ['STAGING', 'RUNNING'] : undefined;
    case 'stop':
      if (status === 'TERMINATED' || status === 'STOPPED') return [];
      if (status === 'RUNNING' || status === 'SUSPENDED' || status === 'STAGING') {
        return noGracefulShutdown ? ['STOPPING', 'TERMINATED'] : ['PENDING_STOP', 'STOPPING', 'TERMINATED'];
      }
      return undefined;
    case 'reset':
      return status === 'RUNNING' ? ['STAGING', 'RUNNING'] : undefined;
    case 'suspend':
      return status === 'RUNNING' ? ['SUSPENDING', 'SUSPENDED'] : undefined;
    case 'resume':
      return status === 'SUSPENDED' ? ['STAGING', 'RUNNING'] : undefined;
    case 'delete':
      return ['STOPPING', 'DEPROVISIONING'];
    default:
      return undefined;
  }
}

/** `us-central1-a` -> `us-central1`. */
function regionOf(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** Everything wrong with a request per the document; a method the document lacks is itself a problem. */
function requestProblems(
  discovery: GceDiscovery,
  routed: { id: string; path: Record<string, string> },
  url: URL,
  body: unknown,
): string[] {
  const method = discovery.method(routed.id);
  if (method === undefined) return [`the discovery document has no method ${routed.id}`];
  return [...discovery.check(method, routed.path, url.searchParams, body), ...requestIdProblems(url)];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestIdProblems(url: URL): string[] {
  const requestId = url.searchParams.get('requestId');
  if (requestId === null) return [];
  if (!UUID.test(requestId) || /^[0-]+$/.test(requestId)) {
    return [`requestId '${requestId}' is not a valid non-zero UUID`];
  }
  return [];
}
