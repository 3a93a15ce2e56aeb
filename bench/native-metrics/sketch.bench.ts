/**
 * Sketch benchmarks: ingest of 10M lognormal values, merge of 1,000 sketches, and 10M samples over
 * 10,000 series; our native and TypeScript backends side by side with @datadog/sketches-js,
 * hdr-histogram-js (WebAssembly) and tdigest, in one process.
 * Run: `npx tsx bench/native-metrics/sketch.bench.ts` (after `npm run build -w packages/native-metrics`).
 */
import { DDSketch } from '@datadog/sketches-js';
import * as hdr from 'hdr-histogram-js';
// @ts-expect-error tdigest ships no types
import { TDigest } from 'tdigest';
import { js, native as loadNative, type MetricsBackend } from '../../packages/native-metrics/src/index.js';
import { random } from '../../packages/native-metrics/test/test-data.js';
import { lognormal, measure, printTable, type Timing, writeResult } from './bench-utils.js';

/** The Rust backend, or undefined when its binary did not load (the table then shows the TypeScript one only). */
const native = loadNative();

const SAMPLES = Number(process.env.SKETCH_SAMPLES ?? 10_000_000);
const QS = [0.5, 0.95, 0.99];

interface Row {
  name: string;
  samples: number;
  timing: Timing;
  relativeError?: Record<string, number>;
}

const rate = (row: Row) => row.samples / (row.timing.ms / 1000);
const cpuRate = (row: Row) => row.samples / (row.timing.cpuMs / 1000);
const millions = (value: number) => `${(value / 1e6).toFixed(1)} M/s`;

function relativeErrors(estimate: (q: number) => number, sorted: Float64Array): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const q of QS) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
    errors[`p${Math.round(q * 100)}`] = (estimate(q) - exact) / exact;
  }
  return errors;
}

async function main(): Promise<void> {
  if (native === undefined)
    throw new Error('Build the native backend first: npm run build -w packages/native-metrics');
  const values = lognormal(SAMPLES, 1e4, 1);
  const sorted = values.slice().sort();
  await hdr.initWebAssembly();
  const backends: MetricsBackend[] = [native, js];
  const ingest: Row[] = [];

  for (const backend of backends) {
    let sketch = new backend.Sketch();
    const timing = measure(
      3,
      () => new backend.Sketch(),
      (fresh) => {
        fresh.addBatch(values);
        sketch = fresh;
      },
    );
    ingest.push({
      name: `novacron ${backend.name} (addBatch)`,
      samples: SAMPLES,
      timing,
      relativeError: relativeErrors((q) => sketch.quantile(q), sorted),
    });
  }
  {
    let sketch = new DDSketch({ relativeAccuracy: 0.01 });
    const timing = measure(
      3,
      () => new DDSketch({ relativeAccuracy: 0.01 }),
      (fresh) => {
        for (let index = 0; index < values.length; index += 1) fresh.accept(values[index]!);
        sketch = fresh;
      },
    );
    ingest.push({
      name: '@datadog/sketches-js 2.1.1 (accept)',
      samples: SAMPLES,
      timing,
      relativeError: relativeErrors((q) => sketch.getValueAtQuantile(q), sorted),
    });
  }
  {
    const build = () =>
      hdr.build({
        useWebAssembly: true,
        lowestDiscernibleValue: 1,
        highestTrackableValue: 1e9,
        numberOfSignificantValueDigits: 2,
      });
    let histogram = build();
    const timing = measure(
      3,
      () => build(),
      (fresh) => {
        for (let index = 0; index < values.length; index += 1) fresh.recordValue(values[index]!);
        histogram.destroy();
        histogram = fresh;
      },
    );
    ingest.push({
      name: 'hdr-histogram-js 3.0.1 (WebAssembly, 2 digits)',
      samples: SAMPLES,
      timing,
      relativeError: relativeErrors((q) => histogram.getValueAtPercentile(q * 100), sorted),
    });
    histogram.destroy();
  }
  {
    const subset = Math.min(SAMPLES, 2_000_000);
    const part = values.subarray(0, subset);
    const partSorted = part.slice().sort();
    let digest = new TDigest();
    const timing = measure(
      1,
      () => new TDigest(),
      (fresh) => {
        for (let index = 0; index < part.length; index += 1) fresh.push(part[index]!);
        fresh.compress();
        digest = fresh;
      },
    );
    ingest.push({
      name: `tdigest 0.1.3 (on ${subset / 1e6}M samples)`,
      samples: subset,
      timing,
      relativeError: relativeErrors((q) => digest.percentile(q), partSorted),
    });
  }

  const ours = ingest[0]!;
  const rivals = ingest.slice(2);
  const fastestRivalCpu = Math.max(...rivals.map(cpuRate));
  const fastestRivalWall = Math.max(...rivals.map(rate));
  printTable(
    `Sketch ingest, ${SAMPLES / 1e6}M lognormal values (median 1e4), relative accuracy 1 %`,
    ['implementation', 'per CPU-second', 'wall clock', 'p50 err', 'p95 err', 'p99 err', 'native is (CPU)'],
    ingest.map((row) => [
      row.name,
      millions(cpuRate(row)),
      millions(rate(row)),
      ...QS.map((q) => `${(row.relativeError![`p${Math.round(q * 100)}`]! * 100).toFixed(2)} %`),
      `${(cpuRate(ours) / cpuRate(row)).toFixed(1)}x`,
    ]),
  );

  // Merge of 1,000 sketches.
  const parts = 1_000;
  const partSize = Math.floor(SAMPLES / parts);
  const merge: Row[] = [];
  for (const backend of backends) {
    const sketches = Array.from({ length: parts }, (_, index) => {
      const sketch = new backend.Sketch();
      sketch.addBatch(values.subarray(index * partSize, (index + 1) * partSize));
      return sketch;
    });
    const timing = measure(
      7,
      () => new backend.Sketch(),
      (target) => {
        for (const sketch of sketches) target.merge(sketch);
      },
    );
    merge.push({ name: `novacron ${backend.name}`, samples: parts, timing });
  }
  {
    const sketches = Array.from({ length: parts }, (_, index) => {
      const sketch = new DDSketch({ relativeAccuracy: 0.01 });
      for (const value of values.subarray(index * partSize, (index + 1) * partSize)) sketch.accept(value);
      return sketch;
    });
    const timing = measure(
      7,
      () => new DDSketch({ relativeAccuracy: 0.01 }),
      (target) => {
        for (const sketch of sketches) target.merge(sketch);
      },
    );
    merge.push({ name: '@datadog/sketches-js 2.1.1', samples: parts, timing });
  }
  printTable(
    `Merge of ${parts} sketches (${partSize} values each)`,
    ['implementation', 'CPU time', 'wall clock', 'vs native (CPU)'],
    merge.map((row) => [
      row.name,
      `${row.timing.cpuMs.toFixed(2)} ms`,
      `${row.timing.ms.toFixed(2)} ms`,
      `${(row.timing.cpuMs / merge[0]!.timing.cpuMs).toFixed(1)}x slower`,
    ]),
  );

  // 10M samples over 10,000 series, random order.
  const series = 10_000;
  const next = random(3);
  const ids = Uint32Array.from({ length: SAMPLES }, () => Math.floor(next() * series));
  const many: Row[] = [];
  for (const backend of backends) {
    const samples = backend.name === 'native' ? SAMPLES : Math.min(SAMPLES, 2_000_000);
    const timing = measure(
      backend.name === 'native' ? 3 : 1,
      () => new backend.SeriesAggregator({ seriesCount: series }),
      (aggregator) => aggregator.ingest(ids.subarray(0, samples), values.subarray(0, samples)),
    );
    many.push({ name: `novacron ${backend.name} SeriesAggregator.ingest`, samples, timing });
  }
  {
    const samples = Math.min(SAMPLES, 2_000_000);
    const timing = measure(
      1,
      () => Array.from({ length: series }, () => new DDSketch({ relativeAccuracy: 0.01 })),
      (sketches) => {
        for (let index = 0; index < samples; index += 1) sketches[ids[index]!]!.accept(values[index]!);
      },
    );
    many.push({ name: '@datadog/sketches-js, one sketch per series', samples, timing });
  }
  printTable(
    `Many series: samples over ${series} series in random order`,
    ['implementation', 'samples', 'per CPU-second', 'wall clock', 'native is (CPU)'],
    many.map((row) => [
      row.name,
      `${row.samples / 1e6}M`,
      millions(cpuRate(row)),
      millions(rate(row)),
      `${(cpuRate(many[0]!) / cpuRate(row)).toFixed(1)}x`,
    ]),
  );

  const targets = {
    ingestAtLeast120MPerSecond: { cpu: cpuRate(ours) >= 120e6, wall: rate(ours) >= 120e6 },
    ingestAtLeast4xFastestRival: {
      cpu: cpuRate(ours) >= 4 * fastestRivalCpu,
      wall: rate(ours) >= 4 * fastestRivalWall,
    },
    quantileErrorsAtMost1Percent: Object.values(ours.relativeError!).every(
      (error) => Math.abs(error) <= 0.01,
    ),
    mergeOf1000UnderTwoMs: { cpu: merge[0]!.timing.cpuMs < 2, wall: merge[0]!.timing.ms < 2 },
    manySeriesAtLeast30MPerSecond: { cpu: cpuRate(many[0]!) >= 30e6, wall: rate(many[0]!) >= 30e6 },
  };
  console.log(
    '\nTargets of issue 3 (cpu = per CPU-second of one core, wall = wall clock on the shared machine):',
  );
  console.log(JSON.stringify(targets, null, 2));
  console.log(
    `native ingest vs fastest rival: ${(cpuRate(ours) / fastestRivalCpu).toFixed(1)}x (CPU), ${(rate(ours) / fastestRivalWall).toFixed(1)}x (wall); vs TypeScript fallback: ${(cpuRate(ours) / cpuRate(ingest[1]!)).toFixed(1)}x`,
  );
  const path = writeResult('native-metrics-sketch', {
    date: new Date().toISOString(),
    node: process.version,
    samples: SAMPLES,
    ingest,
    merge,
    manySeries: many,
    targets,
  });
  console.log(`wrote ${path}`);
}

await main();
