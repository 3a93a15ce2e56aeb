import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GceDiscovery, type RoutedMethod } from './gce-discovery-schema.js';

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
  /** The project the fake serves. Default `novacron-test`. */
  project?: string;
  /** Its zones. Default `us-central1-a`, `us-central1-b`, `europe-west1-b`. */
  zones?: string[];
  /** Milliseconds each status transition takes. Default 4. */
  stepMs?: number;
  /** How long `operations.wait` blocks before answering with a RUNNING operation. Default 200 ms. */
  waitCutoffMs?: number;
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
  invalidRequests: Array<{ methodId: string; problems: string[] }>;
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
 * operations (get, wait), machine types (get, list) and zones (list). Every request is validated against the
 * document; an invalid one is answered 400 and recorded in `invalidRequests`.
 *
 * Behaviour modelled on the real service: every change returns a zone Operation that becomes DONE a few ms later
 * (possibly with `error`), `requestId` makes a change idempotent (the same id returns the same Operation, whatever the
 * body), statuses move PROVISIONING -> STAGING -> RUNNING and so on over time, `wait` returns after a cut-off even
 * when the operation is still RUNNING, and aggregated lists page with `maxResults`/`pageToken` and carry per-zone
 * `NO_RESULTS_ON_PAGE` warnings.
 */
export async function startFakeGce(options: FakeGceOptions = {}): Promise<FakeGce> {
  const project = options.project ?? 'novacron-test';
  const zones = options.zones ?? ['us-central1-a', 'us-central1-b', 'europe-west1-b'];
  const stepMs = options.stepMs ?? 4;
  const waitCutoffMs = options.waitCutoffMs ?? 200;
  const discovery = new GceDiscovery();
  const instances = new Map<string, InstanceRecord>(); // `${zone}/${name}`
  const operations = new Map<string, OperationRecord>(); // `${zone}/${operation}`
  const byRequestId = new Map<string, Record<string, unknown>>();
  const pendingFailures = new Map<string, { code: string; message: string }>();
  const calls: GceCall[] = [];
  const invalidRequests: FakeGce['invalidRequests'] = [];
  let faultScript: GceFaultScript | undefined;
  let sequence = 0;
  let base = '';

  const zoneUrl = (zone: string) => `${base}${discovery.basePath}projects/${project}/zones/${zone}`;

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

  /** A change: served once per requestId; the same requestId answers with the first Operation again. */
  const change = (query: URLSearchParams, make: () => Record<string, unknown> | undefined) => {
    const requestId = query.get('requestId');
    if (requestId !== null) {
      const earlier = byRequestId.get(requestId);
      if (earlier !== undefined) {
        const record = operations.get(`${String(earlier.zone).split('/').pop()}/${String(earlier.name)}`);
        return record === undefined ? earlier : operationView(record);
      }
    }
    const operation = make();
    if (operation !== undefined && requestId !== null) byRequestId.set(requestId, operation);
    return operation;
  };

  const handle = (call: GceCall, method: RoutedMethod, response: ServerResponse) => {
    const { path, query } = call;
    const zone = path.zone ?? '';
    if (path.project !== undefined && path.project !== project) {
      return fail(response, 403, 'forbidden', `Project ${path.project} is not served by this fake.`);
    }
    if (path.zone !== undefined && !zones.includes(zone)) {
      return fail(response, 400, 'invalid', `Invalid value for field 'zone': '${zone}'. Unknown zone.`);
    }
    const instanceName = path.instance ?? '';
    const where = `projects/${project}/zones/${zone}/instances/${instanceName}`;
    switch (method.id) {
      case 'compute.instances.insert': {
        const body = call.body as Record<string, unknown>;
        const name = String(body.name);
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
                ? `${base}${discovery.basePath}projects/${project}/${String(body.machineType)}`
                : body.machineType,
              networkInterfaces: interfaces.map((networkInterface, index) => ({
                ...networkInterface,
                name: `nic${index}`,
                networkIP: `10.128.${Math.floor(sequence / 250) % 250}.${(sequence % 250) + 2}`,
                ...(Array.isArray(networkInterface.accessConfigs)
                  ? {
                      accessConfigs: (networkInterface.accessConfigs as Array<Record<string, unknown>>).map(
                        (accessConfig) => ({
                          ...accessConfig,
                          natIP: `34.10.${sequence % 250}.${index + 1}`,
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
        const action = method.id.split('.').pop() ?? '';
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
        if (method.id.endsWith('.get')) return send(response, 200, operationView(record));
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
      case 'compute.zones.list':
        return send(response, 200, {
          kind: 'compute#zoneList',
          id: `projects/${project}/zones`,
          items: zones.map((name, index) => ({
            kind: 'compute#zone',
            id: String(2000 + index),
            name,
            status: 'UP',
            region: `${base}${discovery.basePath}projects/${project}/regions/${name.replace(/-[a-z]$/, '')}`,
            selfLink: zoneUrl(name),
          })),
          selfLink: `${base}${discovery.basePath}projects/${project}/zones`,
        });
      default:
        return fail(response, 501, 'notImplemented', `The fake does not implement ${method.id}.`);
    }
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
      items[`zones/${zone}`] =
        inZone.length > 0
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
      selfLink: `${base}${discovery.basePath}projects/${project}/aggregated/instances`,
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
      if (request.headers.authorization !== 'Bearer fake-gce-token') {
        return fail(response, 401, 'authError', 'Request had invalid authentication credentials.');
      }
      const routed = discovery.route(request.method ?? 'GET', url.pathname);
      const call: GceCall = {
        methodId: routed?.method.id ?? '',
        path: routed?.path ?? {},
        query: url.searchParams,
        body,
      };
      calls.push(call);
      if (routed === undefined) {
        invalidRequests.push({
          methodId: '',
          problems: [`no method serves ${request.method} ${url.pathname}`],
        });
        return fail(response, 404, 'notFound', `No method serves ${request.method} ${url.pathname}.`);
      }
      const problems =
        routed.method.id.endsWith('.insert') || url.searchParams.has('requestId')
          ? [
              ...discovery.check(routed.method, routed.path, url.searchParams, body),
              ...requestIdProblems(url),
            ]
          : discovery.check(routed.method, routed.path, url.searchParams, body);
      if (problems.length > 0) {
        invalidRequests.push({ methodId: routed.method.id, problems });
        return fail(
          response,
          400,
          'invalid',
          `Invalid request to ${routed.method.id}: ${problems.join('; ')}`,
        );
      }
      const fault = faultScript?.(call);
      if (fault !== undefined && 'lose' in fault) {
        // The change takes effect, then the connection drops before the answer.
        handle(call, routed.method, {
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
      handle(call, routed.method, response);
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
    invalidRequests,
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestIdProblems(url: URL): string[] {
  const requestId = url.searchParams.get('requestId');
  if (requestId === null) return [];
  if (!UUID.test(requestId) || /^[0-]+$/.test(requestId)) {
    return [`requestId '${requestId}' is not a valid non-zero UUID`];
  }
  return [];
}
