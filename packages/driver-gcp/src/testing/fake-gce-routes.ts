/** The path prefix of Compute Engine v1 (the discovery document's `basePath`). */
export const GCE_BASE_PATH = '/compute/v1/';

/** One method the fake serves: its discovery id, HTTP verb and path template, spelt as in the discovery document. */
export interface FakeGceRoute {
  id: string;
  httpMethod: string;
  path: string;
}

/**
 * The methods the fake implements. Routing is the fake's own, so it also runs without the discovery document
 * (`validateRequests: false`); with the document, a test checks every route against it.
 */
export const FAKE_GCE_ROUTES: readonly FakeGceRoute[] = [
  {
    id: 'compute.instances.aggregatedList',
    httpMethod: 'GET',
    path: 'projects/{project}/aggregated/instances',
  },
  { id: 'compute.instances.list', httpMethod: 'GET', path: 'projects/{project}/zones/{zone}/instances' },
  { id: 'compute.instances.insert', httpMethod: 'POST', path: 'projects/{project}/zones/{zone}/instances' },
  {
    id: 'compute.instances.get',
    httpMethod: 'GET',
    path: 'projects/{project}/zones/{zone}/instances/{instance}',
  },
  {
    id: 'compute.instances.delete',
    httpMethod: 'DELETE',
    path: 'projects/{project}/zones/{zone}/instances/{instance}',
  },
  ...['start', 'stop', 'reset', 'suspend', 'resume'].map((action) => ({
    id: `compute.instances.${action}`,
    httpMethod: 'POST',
    path: `projects/{project}/zones/{zone}/instances/{instance}/${action}`,
  })),
  {
    id: 'compute.zoneOperations.get',
    httpMethod: 'GET',
    path: 'projects/{project}/zones/{zone}/operations/{operation}',
  },
  {
    id: 'compute.zoneOperations.wait',
    httpMethod: 'POST',
    path: 'projects/{project}/zones/{zone}/operations/{operation}/wait',
  },
  {
    id: 'compute.machineTypes.list',
    httpMethod: 'GET',
    path: 'projects/{project}/zones/{zone}/machineTypes',
  },
  {
    id: 'compute.machineTypes.get',
    httpMethod: 'GET',
    path: 'projects/{project}/zones/{zone}/machineTypes/{machineType}',
  },
  { id: 'compute.images.list', httpMethod: 'GET', path: 'projects/{project}/global/images' },
  {
    id: 'compute.images.getFromFamily',
    httpMethod: 'GET',
    path: 'projects/{project}/global/images/family/{family}',
  },
  { id: 'compute.images.get', httpMethod: 'GET', path: 'projects/{project}/global/images/{image}' },
  { id: 'compute.zones.list', httpMethod: 'GET', path: 'projects/{project}/zones' },
];

const COMPILED = FAKE_GCE_ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, pattern: new RegExp(`^${GCE_BASE_PATH}${source}$`) };
});

/** The route a request takes, with its path parameters, or undefined when the fake serves no such method. */
export function routeFakeGce(
  httpMethod: string,
  pathname: string,
): { id: string; path: Record<string, string> } | undefined {
  for (const { route, names, pattern } of COMPILED) {
    if (route.httpMethod !== httpMethod) continue;
    const match = pattern.exec(pathname);
    if (match === null) continue;
    const path: Record<string, string> = {};
    names.forEach((name, index) => {
      path[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { id: route.id, path };
  }
  return undefined;
}
