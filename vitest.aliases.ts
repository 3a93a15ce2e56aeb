import { fileURLToPath } from 'node:url';

/**
 * Points `@novacron/*` imports at the packages' TypeScript sources, so tests run without a build.
 * Each package's `vitest.config.ts` spreads this into `resolve.alias`.
 */
export const sourceAliases: Record<string, string> = {
  '@novacron/core/driver': fileURLToPath(new URL('./packages/core/src/toolkit/index.ts', import.meta.url)),
  '@novacron/core/testing': fileURLToPath(new URL('./packages/core/src/testing/index.ts', import.meta.url)),
  '@novacron/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
  '@novacron/driver-sim': fileURLToPath(new URL('./packages/driver-sim/src/index.ts', import.meta.url)),
  '@novacron/driver-kvm': fileURLToPath(new URL('./packages/driver-kvm/src/index.ts', import.meta.url)),
  '@novacron/driver-aws': fileURLToPath(new URL('./packages/driver-aws/src/index.ts', import.meta.url)),
  '@novacron/driver-azure/testing': fileURLToPath(
    new URL('./packages/driver-azure/src/testing/index.ts', import.meta.url),
  ),
  '@novacron/driver-azure': fileURLToPath(new URL('./packages/driver-azure/src/index.ts', import.meta.url)),
  '@novacron/driver-gcp/testing': fileURLToPath(
    new URL('./packages/driver-gcp/src/testing/index.ts', import.meta.url),
  ),
  '@novacron/driver-gcp': fileURLToPath(new URL('./packages/driver-gcp/src/index.ts', import.meta.url)),
  '@novacron/controller': fileURLToPath(new URL('./packages/controller/src/index.ts', import.meta.url)),
  '@novacron/store-etcd': fileURLToPath(new URL('./packages/store-etcd/src/index.ts', import.meta.url)),
  '@novacron/scheduler': fileURLToPath(new URL('./packages/scheduler/src/index.ts', import.meta.url)),
  '@novacron/opentelemetry': fileURLToPath(new URL('./packages/opentelemetry/src/index.ts', import.meta.url)),
  '@novacron/native-metrics': fileURLToPath(
    new URL('./packages/native-metrics/src/index.ts', import.meta.url),
  ),
};
