import { NovaCronError } from '../errors/novacron-error.js';
import type { Middleware } from './operation.js';

/**
 * The `validation` step: checks `operation.input` against `operation.schema` (zod) before anything reaches the
 * provider. Failures are `INVALID_ARGUMENT` naming the path of the first bad field.
 */
export function validationMiddleware(): Middleware {
  return {
    name: 'validation',
    handle(operation, next) {
      if (operation.schema !== undefined) {
        const result = operation.schema.safeParse(operation.input);
        if (!result.success) {
          const issue = result.error.issues[0];
          const field = issue === undefined || issue.path.length === 0 ? 'input' : issue.path.join('.');
          return Promise.reject(
            new NovaCronError({
              code: 'INVALID_ARGUMENT',
              message: `Invalid ${field} for ${operation.name} on provider '${operation.provider}': ${issue?.message ?? 'invalid input'}. Nothing was sent to the provider.`,
              field,
              provider: operation.provider,
              operation: operation.name,
            }),
          );
        }
      }
      return next(operation);
    },
  };
}
