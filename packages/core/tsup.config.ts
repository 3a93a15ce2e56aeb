import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: {
    index: 'src/index.ts',
    'driver/index': 'src/toolkit/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  dts: true,
  sourcemap: true,
  target: 'node22',
  external: ['vitest'],
};

/**
 * Two builds. The ES module build imports its dependencies as they are. The CommonJS build bundles p-queue (and its
 * p-timeout), which are ES modules only: `require()` of an ES module works only from Node 22.12 and hands tools'
 * interop helpers a namespace object, so a CommonJS user on any Node 22 would otherwise get
 * "p_queue.default is not a constructor" on the first call. scripts/consumer-test proves both builds on tarballs.
 */
export default defineConfig([
  { ...shared, format: ['esm'], clean: true },
  { ...shared, format: ['cjs'], noExternal: ['p-queue', 'p-timeout'] },
]);
