import { NovaCronError } from '@novacron/core';
import {
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from 'etcd3';

/** Refused credentials that reach the client under other gRPC codes: no user given, a TLS certificate refused. */
const REFUSED =
  /user name is empty|authentication failed|permission denied|invalid auth token|bad certificate|certificate required|certificate verify failed/i;

/** etcd's own words for "try again": no leader during an election, a leader change, a proposal that timed out. */
const TRANSIENT =
  /leader|timed out|timeout|unavailable|circuit|connect|ECONNREFUSED|ECONNRESET|stream ended/i;

/**
 * Turns a failure of the etcd client into a `NovaCronError`: `AUTH` for refused credentials (a password, a TLS
 * certificate), `UNAVAILABLE`
 * (retryable) when no member could answer or the cluster was electing a leader, `PROVIDER` otherwise. The message
 * names the action and the endpoints, never credentials.
 */
export function etcdFailure(error: unknown, action: string, endpoints: readonly string[]): NovaCronError {
  if (NovaCronError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const where = `etcd at ${endpoints.join(', ')}`;
  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof GRPCUnauthenticatedError ||
    REFUSED.test(reason)
  ) {
    return new NovaCronError({
      code: 'AUTH',
      provider: 'etcd',
      message: `${where} refused to ${action}: ${reason}. Check the store's auth user and its role's permissions on the prefix.`,
      cause: error,
    });
  }
  if (
    error instanceof GRPCUnavailableError ||
    error instanceof GRPCDeadlineExceededError ||
    TRANSIENT.test(reason)
  ) {
    return new NovaCronError({
      code: 'UNAVAILABLE',
      provider: 'etcd',
      message: `Could not ${action}: ${where} did not answer (${reason}). Retry; check that a majority of members is up and reachable.`,
      cause: error,
    });
  }
  return new NovaCronError({
    code: 'PROVIDER',
    provider: 'etcd',
    message: `Could not ${action} on ${where}: ${reason}.`,
    cause: error,
  });
}
