/**
 * The driver toolkit, `@novacron/core/driver`: what every driver needs and none should write again. Opaque cursors,
 * in-memory paging, provider-options parsing, error mapping with secret-free causes, and the abortable sleep.
 *
 * @packageDocumentation
 */

export { sleep } from '../util/abort.js';
export {
  createErrorMapper,
  type ErrorMapper,
  type ErrorMapperOptions,
  type ProviderFailure,
} from './error-mapper.js';
export { type CursorCodec, type CursorCodecOptions, createCursorCodec } from './opaque-cursor.js';
export { assertKnownOptions, type OptionKeys } from './option-keys.js';
export { type PageOfOptions, pageOf } from './page-of.js';
export { ProviderError, type ProviderErrorDetails, redactSecrets } from './provider-error.js';
export { parseProviderOptions } from './provider-options.js';
