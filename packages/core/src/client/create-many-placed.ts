import { NovaCronError } from '../errors/novacron-error.js';
import { newIdempotencyKey } from '../util/idempotency-key.js';
import type { PlacementApi, PlacementApplyResult } from './placement-api.js';
import type { CreateManyOptions, CreateManyResult, CreateVmRequest } from './vms-api.js';

/** Plans made and refused as stale before one is applied (another process applied first each time). */
const MAX_PLANS = 3;

/**
 * `nc.vms.createMany(requests, { placement: 'auto' })`: plans the requests with the client's placer and applies
 * the plan; a plan refused as stale (another process placed on the same hosts first) is made again, up to three
 * times. VMs the placer cannot place are `failed` with `NO_CAPACITY` and the placer's explanation.
 */
export async function createManyPlaced<ProviderName extends string>(
  placement: PlacementApi<ProviderName>,
  requests: Array<CreateVmRequest<ProviderName>>,
  options: CreateManyOptions,
): Promise<CreateManyResult<ProviderName>> {
  const provider = requests[0]?.provider;
  if (provider === undefined) return { created: [], failed: [], cancelled: [] };
  requests.forEach((request, index) => {
    if (request.provider !== provider)
      throw invalid(
        `requests[${index}].provider`,
        `createMany with placement 'auto' places on one provider; requests[${index}] is for '${request.provider}', requests[0] for '${provider}'. Split the requests by provider.`,
      );
    if (request.idempotencyKey !== undefined)
      throw invalid(
        `requests[${index}].idempotencyKey`,
        `createMany with placement 'auto' derives idempotency keys from the plan; leave requests[${index}].idempotencyKey out (or plan and apply with nc.placement.plan and nc.placement.apply).`,
      );
  });
  const indexOf = new Map(requests.map((request, index) => [request.name, index]));
  const vms = requests.map(({ provider: _provider, idempotencyKey: _key, ...spec }) => spec);
  for (let attempt = 1; ; attempt += 1) {
    const plan = await placement.plan({ provider, vms, signal: options.signal });
    let applied: PlacementApplyResult;
    try {
      applied = await placement.apply(plan, {
        concurrency: options.concurrency ?? 64,
        signal: options.signal,
        onProgress: options.onProgress,
      });
    } catch (error) {
      const stale = NovaCronError.isInstance(error) && error.code === 'CONFLICT' && !error.retryable;
      if (stale && attempt < MAX_PLANS) continue;
      throw error;
    }
    const result: CreateManyResult<ProviderName> = {
      created: [...applied.created, ...applied.existing].map(({ key, vm }) => ({
        index: indexOf.get(key)!,
        vm,
      })),
      failed: [
        ...applied.failed.map(({ key, idempotencyKey, uncertain, cause, error }) => ({
          index: indexOf.get(key)!,
          request: requests[indexOf.get(key)!]!,
          idempotencyKey,
          uncertain,
          cause,
          error,
        })),
        ...plan.unplaced.map(({ key, explanation }) => ({
          index: indexOf.get(key)!,
          request: requests[indexOf.get(key)!]!,
          idempotencyKey: newIdempotencyKey(),
          uncertain: false,
          cause: 'provider' as const,
          error: new NovaCronError({
            code: 'NO_CAPACITY',
            provider,
            operation: 'vms.createMany',
            message: `No host of provider '${provider}' can take ${explanation}. Nothing was created for it.`,
          }),
        })),
      ],
      cancelled: applied.cancelled.map((key) => indexOf.get(key)!),
    };
    result.created.sort((a, b) => a.index - b.index);
    result.failed.sort((a, b) => a.index - b.index);
    result.cancelled.sort((a, b) => a - b);
    return result;
  }
}

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, operation: 'vms.createMany', message });
}
