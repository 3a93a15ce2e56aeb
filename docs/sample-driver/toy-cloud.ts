/**
 * A stand-in for a provider's SDK, so the sample driver beside it has something real to translate: an in-memory
 * "cloud" with its own ids, states, tags, errors and paged listing. Nothing in it knows about NovaCron.
 */
export interface ToyInstance {
  id: string;
  name: string;
  status: 'booting' | 'on' | 'off' | 'deleted';
  cpus: number;
  ramMb: number;
  labels: Record<string, string>;
  clientToken?: string;
  created: Date;
}

/** The error the toy cloud's API throws, with an HTTP-like status, as SDKs do. */
export class ToyApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ToyApiError';
  }
}

/** The toy cloud's client: every call answers after a tick, like a network call. */
export class ToyCloudClient {
  private readonly instances = new Map<string, ToyInstance>();
  private nextId = 1;

  /** Creates an instance, which boots on the next tick. */
  async createInstance(input: {
    name: string;
    cpus: number;
    ramMb: number;
    labels: Record<string, string>;
    clientToken: string;
  }): Promise<ToyInstance> {
    await tick();
    const existing = [...this.instances.values()].find((each) => each.clientToken === input.clientToken);
    if (existing !== undefined) {
      const same =
        existing.name === input.name &&
        existing.cpus === input.cpus &&
        existing.ramMb === input.ramMb &&
        sameLabels(existing.labels, input.labels);
      if (!same) {
        throw new ToyApiError(
          409,
          'idempotent_parameter_mismatch',
          'client token reused with other parameters',
        );
      }
      return { ...existing, labels: { ...existing.labels } };
    }
    const instance: ToyInstance = {
      id: `toy-${String(this.nextId++).padStart(6, '0')}`,
      name: input.name,
      status: 'booting',
      cpus: input.cpus,
      ramMb: input.ramMb,
      labels: { ...input.labels },
      clientToken: input.clientToken,
      created: new Date(),
    };
    this.instances.set(instance.id, instance);
    setTimeout(() => {
      if (instance.status === 'booting') instance.status = 'on';
    }, 1);
    return { ...instance, labels: { ...instance.labels } };
  }

  /** One instance; a deleted one is kept (as `deleted`) for a while, as clouds do. */
  async getInstance(id: string): Promise<ToyInstance> {
    await tick();
    const instance = this.instances.get(id);
    if (instance === undefined) throw new ToyApiError(404, 'not_found', `instance ${id} not found`);
    return { ...instance, labels: { ...instance.labels } };
  }

  /** A page of instances, oldest first, `limit` at most, after the instance id `after`. */
  async listInstances(query: {
    after?: string;
    limit: number;
    clientToken?: string;
  }): Promise<ToyInstance[]> {
    await tick();
    return [...this.instances.values()]
      .filter((instance) => (query.after === undefined ? true : instance.id > query.after))
      .filter((instance) => query.clientToken === undefined || instance.clientToken === query.clientToken)
      .slice(0, query.limit)
      .map((instance) => ({ ...instance, labels: { ...instance.labels } }));
  }

  /** Powers an instance on or off; refuses a deleted one. */
  async setPower(id: string, on: boolean): Promise<void> {
    await tick();
    const instance = this.instances.get(id);
    if (instance === undefined || instance.status === 'deleted') {
      throw new ToyApiError(404, 'not_found', `instance ${id} not found`);
    }
    instance.status = on ? 'on' : 'off';
  }

  /** Deletes an instance. */
  async deleteInstance(id: string): Promise<void> {
    await tick();
    const instance = this.instances.get(id);
    if (instance === undefined || instance.status === 'deleted') {
      throw new ToyApiError(404, 'not_found', `instance ${id} not found`);
    }
    instance.status = 'deleted';
  }
}

function sameLabels(left: Record<string, string>, right: Record<string, string>): boolean {
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && right[key] === left[key])
  );
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
