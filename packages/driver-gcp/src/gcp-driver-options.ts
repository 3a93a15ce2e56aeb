import type {
  ImagesClient,
  InstancesClient,
  MachineTypesClient,
  ZoneOperationsClient,
  ZonesClient,
} from '@google-cloud/compute';
import { assertKnownOptions, type OptionKeys } from '@novacron/core/driver';

/** The options every `@google-cloud/compute` client takes (`apiEndpoint`, `port`, `protocol`, `fallback`...). */
export type GcpClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

/** The Compute Engine clients the driver uses; {@link GcpDriver.getClient} hands them back. */
export interface GcpClients {
  /** Instances: insert, get, aggregatedList, start, stop, reset, suspend, resume, delete. */
  instances: InstancesClient;
  /** Zone operations: wait. */
  zoneOperations: ZoneOperationsClient;
  /** Machine types: get, list. */
  machineTypes: MachineTypesClient;
  /** Zones: list. */
  zones: ZonesClient;
  /** Images: list, getFromFamily. */
  images: ImagesClient;
}

/** Options of {@link createGcpDriver}. */
export interface GcpDriverOptions {
  /** The Google Cloud project the driver manages instances in. Required. */
  projectId: string;
  /**
   * The zones this driver serves: lists keep only their instances, and the first is where a create that names no
   * `location.zone` goes. Default: every zone of the project (and a create must then name its zone).
   */
  zones?: readonly string[] | undefined;
  /** The credentials, as a google-auth-library client. Default: Application Default Credentials. */
  authClient?: GcpClientOptions['authClient'] | undefined;
  /**
   * Options passed to every client the driver makes (`apiEndpoint`, `port`, `protocol`, `fallback`). Default: none
   * (Google's public endpoint). Passed through unchecked: they are the SDK's.
   */
  clientOptions?: GcpClientOptions | undefined;
  /** Clients to use instead of making them (tests, shared clients). Default: made from the options above. */
  clients?: Partial<GcpClients> | undefined;
  /**
   * Which images `images.list` shows. `projects`: the image projects listed, in order (your own project for custom
   * images, Google's public ones such as `debian-cloud`, `ubuntu-os-cloud`, `rocky-linux-cloud`, `cos-cloud`).
   * Default `['debian-cloud', 'ubuntu-os-cloud']`. A create may name an image of any project, listed or not.
   */
  images?: { projects?: readonly string[] | undefined } | undefined;
}

const GCP_OPTION_KEYS: OptionKeys<GcpDriverOptions> = {
  projectId: true,
  zones: true,
  authClient: true,
  clientOptions: true,
  clients: true,
  images: true,
};

const GCP_IMAGE_KEYS: OptionKeys<NonNullable<GcpDriverOptions['images']>> = { projects: true };

const GCP_CLIENT_KEYS: OptionKeys<GcpClients> = {
  instances: true,
  zoneOperations: true,
  machineTypes: true,
  zones: true,
  images: true,
};

/** Refuses unknown option keys (a typo is a `TypeError` naming it), a missing `projectId`, and malformed lists. */
export function assertGcpDriverOptions(options: GcpDriverOptions): void {
  assertKnownOptions('createGcpDriver', options, GCP_OPTION_KEYS);
  if (options.clients !== undefined)
    assertKnownOptions('createGcpDriver', options.clients, GCP_CLIENT_KEYS, 'clients');
  if (typeof options.projectId !== 'string' || options.projectId === '') {
    throw new TypeError("createGcpDriver needs a projectId, for example { projectId: 'my-project' }.");
  }
  if (
    options.zones !== undefined &&
    (!Array.isArray(options.zones) || options.zones.some((zone) => typeof zone !== 'string' || zone === ''))
  ) {
    throw new TypeError(
      "createGcpDriver's zones must be a list of zone names, for example ['us-central1-a'].",
    );
  }
  if (options.images !== undefined) {
    assertKnownOptions('createGcpDriver', options.images, GCP_IMAGE_KEYS, 'images');
    const projects = options.images.projects;
    if (
      projects !== undefined &&
      (!Array.isArray(projects) ||
        projects.length === 0 ||
        projects.some((project) => typeof project !== 'string' || project === ''))
    ) {
      throw new TypeError(
        "createGcpDriver's images.projects must be a non-empty list of project ids, for example ['debian-cloud', 'my-project'].",
      );
    }
  }
}
