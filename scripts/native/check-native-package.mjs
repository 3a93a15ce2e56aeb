// Checks an installed @novacron/native-metrics against its native binary: the native backend is selected, through
// `import` and `require`, and gives the same results as the TypeScript backend on a few vectors (sketch bytes and
// quantiles, series summaries, packVectors). Run from a folder whose node_modules holds the package and its platform
// package; test-arm64.sh runs it with an arm64 Node under qemu-aarch64. Prints one line per check, then
// `checks: N passed, M failed`, and exits 1 on any failure.
import { createRequire } from 'node:module';
import * as metrics from '@novacron/native-metrics';

let passed = 0;
let failed = 0;
function check(name, condition, detail = '') {
  if (condition) passed += 1;
  else failed += 1;
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${name}${condition || detail === '' ? '' : `: ${detail}`}`);
}
const same = (a, b) => a.length === b.length && a.every((value, index) => Object.is(value, b[index]));

/** Deterministic values (xorshift), lognormal-ish with some negatives and zeros. */
function values(seed, count) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  return Float64Array.from({ length: count }, (_, index) =>
    index % 97 === 0 ? 0 : (next() < 0.1 ? -1 : 1) * Math.exp(8 * next() - 2),
  );
}

check(
  'backend() is native (import)',
  metrics.backend() === 'native',
  String(metrics.nativeUnavailableReason()),
);
const required = createRequire(import.meta.url)('@novacron/native-metrics');
check(
  'backend() is native (require)',
  required.backend() === 'native',
  String(required.nativeUnavailableReason()),
);
const native = metrics.native();
const js = metrics.js;
if (native !== undefined) {
  const qs = Float64Array.from({ length: 101 }, (_, index) => index / 100);
  for (const accuracy of [0.001, 0.01, 0.05]) {
    const data = values(Math.round(accuracy * 1e6), 20_000);
    const a = new js.Sketch({ relativeAccuracy: accuracy });
    const b = new native.Sketch({ relativeAccuracy: accuracy });
    a.addBatch(data);
    b.addBatch(data);
    check(`sketch bytes, accuracy ${accuracy}`, Buffer.from(a.toBytes()).equals(Buffer.from(b.toBytes())));
    check(`sketch quantiles, accuracy ${accuracy}`, same([...a.quantiles(qs)], [...b.quantiles(qs)]));
    const decoded = native.Sketch.fromBytes(a.toBytes());
    check(
      `sketch fromBytes of the other backend, accuracy ${accuracy}`,
      decoded.quantile(0.99) === a.quantile(0.99),
    );
  }
  const seriesIds = Uint32Array.from({ length: 5_000 }, (_, index) => (index * 7) % 50);
  const samples = values(7, 5_000);
  const timestamps = Float64Array.from({ length: 5_000 }, (_, index) => index * 10);
  const summaries = [js, native].map((backend) => {
    const aggregator = new backend.SeriesAggregator({ seriesCount: 50 });
    aggregator.ingest(seriesIds, samples, timestamps);
    return aggregator.summarize();
  });
  check(
    'series summaries',
    ['count', 'sum', 'min', 'max', 'ewma', 'anomaly'].every((field) =>
      same([...summaries[0][field]], [...summaries[1][field]]),
    ),
  );
  const input = {
    dims: 2,
    items: values(11, 400).map((value) => 1 + (Math.abs(value) % 8)),
    binCapacities: new Float64Array(200).fill(16),
    groups: Int32Array.from({ length: 200 }, (_, index) => (index % 10 === 0 ? index % 3 : -1)),
  };
  for (const effort of ['fast', 'improve']) {
    const a = js.packVectors({ ...input, effort });
    const b = native.packVectors({ ...input, effort });
    check(
      `packVectors, effort ${effort}`,
      a.binsUsed === b.binsUsed && same([...a.assignment], [...b.assignment]),
    );
  }
  const top = new metrics.Sketch();
  top.addBatch(new Float64Array([1, 2, 3]));
  check('top-level Sketch is the native one', top instanceof native.Sketch && top instanceof metrics.Sketch);
}
console.log(`checks: ${passed} passed, ${failed} failed (${process.arch}, Node ${process.version})`);
process.exit(failed === 0 ? 0 : 1);
