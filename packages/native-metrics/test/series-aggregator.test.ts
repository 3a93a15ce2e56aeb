import { describe, expect, it } from 'vitest';
import { backendsUnderTest } from './backends-under-test.js';
import { random } from './test-data.js';

describe.each(backendsUnderTest())('SeriesAggregator on the $name backend', (backend) => {
  const { SeriesAggregator, Sketch } = backend;

  function fixture(samples: number, series: number, seed: number) {
    const next = random(seed);
    const ids = new Uint32Array(samples);
    const values = new Float64Array(samples);
    const times = new Float64Array(samples);
    for (let index = 0; index < samples; index += 1) {
      ids[index] = Math.floor(next() * series);
      values[index] = (ids[index]! + 1) * 10 + next() * 5 - (index % 11 === 0 ? 40 : 0);
      times[index] = index * 10;
    }
    return { ids, values, times };
  }

  it('summarises each series like a sketch of its own samples (large batch: sorted path)', () => {
    const series = 50;
    const { ids, values } = fixture(40_000, series, 1);
    const aggregator = new SeriesAggregator({ seriesCount: series, ewmaAlpha: 0.2 });
    aggregator.ingest(ids, values);
    const summaries = aggregator.summarize(new Float64Array([0.5, 0.99]));
    for (let id = 0; id < series; id += 1) {
      const own = values.filter((_, index) => ids[index] === id);
      const sketch = new Sketch();
      sketch.addBatch(own);
      let ewma = Number.NaN;
      for (const value of own) ewma = Number.isNaN(ewma) ? value : ewma + 0.2 * (value - ewma);
      expect(summaries.count[id]).toBe(own.length);
      expect(summaries.min[id]).toBe(sketch.min);
      expect(summaries.max[id]).toBe(sketch.max);
      expect(summaries.sum[id]).toBe(sketch.sum);
      expect(summaries.mean[id]).toBe(sketch.sum / own.length);
      expect(summaries.last[id]).toBe(own[own.length - 1]);
      expect(summaries.ewma[id]).toBe(ewma);
      expect(summaries.quantiles[0]![id]).toBe(sketch.quantile(0.5));
      expect(summaries.quantiles[1]![id]).toBe(sketch.quantile(0.99));
      expect(Buffer.from(aggregator.sketch(id).toBytes()).equals(Buffer.from(sketch.toBytes()))).toBe(true);
    }
  });

  it('gives the same result for one big batch and many small ones', () => {
    const { ids, values, times } = fixture(20_000, 30, 2);
    const big = new SeriesAggregator({ seriesCount: 30 });
    big.ingest(ids, values, times);
    const small = new SeriesAggregator({ seriesCount: 30 });
    for (let start = 0; start < ids.length; start += 7) {
      small.ingest(
        ids.subarray(start, start + 7),
        values.subarray(start, start + 7),
        times.subarray(start, start + 7),
      );
    }
    expect(Array.from(small.summarize().quantiles[2]!)).toEqual(Array.from(big.summarize().quantiles[2]!));
    expect(Array.from(small.windowSummary(200_000).sum)).toEqual(Array.from(big.windowSummary(200_000).sum));
  });

  it('leaves series without samples as NaN (count 0)', () => {
    const aggregator = new SeriesAggregator({ seriesCount: 3 });
    aggregator.ingest(new Uint32Array([0]), new Float64Array([4]));
    const summaries = aggregator.summarize();
    expect(summaries.count[1]).toBe(0);
    expect(summaries.mean[1]).toBeNaN();
    expect(summaries.quantiles[0]![2]).toBeNaN();
    expect(summaries.anomaly[0]).toBe(0);
  });

  it('rolls series up into groups exactly like merged sketches', () => {
    const { ids, values } = fixture(10_000, 20, 3);
    const aggregator = new SeriesAggregator({ seriesCount: 20 });
    aggregator.ingest(ids, values);
    const groupOf = Int32Array.from({ length: 20 }, (_, id) => (id === 19 ? -1 : id % 3));
    const rollup = aggregator.rollup(groupOf, 3, new Float64Array([0.5]));
    for (let group = 0; group < 3; group += 1) {
      const merged = new Sketch();
      for (let id = 0; id < 19; id += 1) if (groupOf[id] === group) merged.merge(aggregator.sketch(id));
      expect(rollup.count[group]).toBe(merged.count);
      expect(rollup.quantiles[0]![group]).toBe(merged.quantile(0.5));
      expect(rollup.min[group]).toBe(merged.min);
    }
    expect(() => aggregator.rollup(new Int32Array(20).fill(3), 3)).toThrow(/groupOfSeries\[0\] is 3/);
    expect(() => aggregator.rollup(new Int32Array(5), 3)).toThrow(RangeError);
  });

  it('keeps a rolling window of windowMs in windowBuckets buckets', () => {
    const aggregator = new SeriesAggregator({ seriesCount: 2, windowMs: 60_000, windowBuckets: 6 });
    aggregator.ingest(
      new Uint32Array([0, 0, 0, 1]),
      new Float64Array([1, 2, 10, 7]),
      new Float64Array([0, 30_000, 125_000, 61_000]),
    );
    const now = aggregator.windowSummary(125_000);
    expect(now.count[0]).toBe(1);
    expect(now.sum[0]).toBe(10);
    expect(now.count[1]).toBe(0); // 61 s is older than the 60 s window ending at 125 s
    expect(now.mean[1]).toBeNaN();
    const earlier = aggregator.windowSummary(65_000);
    expect(earlier.count[0]).toBe(1); // the sample at 0 s was overwritten by the one at 125 s
    expect(earlier.max[1]).toBe(7);
    expect(() => aggregator.windowSummary(Number.NaN)).toThrow(RangeError);
  });

  it('scores a series whose recent level left its usual range as anomalous', () => {
    const aggregator = new SeriesAggregator({ seriesCount: 2, ewmaAlpha: 0.5 });
    const samples = 2_000;
    const ids = new Uint32Array(samples);
    const values = new Float64Array(samples);
    const next = random(9);
    for (let index = 0; index < samples; index += 1) {
      ids[index] = index % 2;
      const spike = index % 2 === 1 && index > samples - 20;
      values[index] = 100 + next() * 10 + (spike ? 80 : 0);
    }
    aggregator.ingest(ids, values);
    const { anomaly } = aggregator.summarize();
    expect(Math.abs(anomaly[0]!)).toBeLessThan(3);
    expect(anomaly[1]!).toBeGreaterThan(10);
  });

  it('rejects bad batches with a RangeError naming the index and ingests nothing of them', () => {
    const aggregator = new SeriesAggregator({ seriesCount: 4 });
    aggregator.ingest(new Uint32Array([1]), new Float64Array([5]));
    expect(() => aggregator.ingest(new Uint32Array([0, 9]), new Float64Array([1, 2]))).toThrow(
      /seriesIds\[1\] is 9/,
    );
    expect(() => aggregator.ingest(new Uint32Array([0, 1]), new Float64Array([1, Number.NaN]))).toThrow(
      /values\[1\] is NaN/,
    );
    expect(() => aggregator.ingest(new Uint32Array([0]), new Float64Array([1, 2]))).toThrow(/same length/);
    expect(() =>
      aggregator.ingest(
        new Uint32Array([0]),
        new Float64Array([1]),
        new Float64Array([Number.POSITIVE_INFINITY]),
      ),
    ).toThrow(/timestampsMs\[0\]/);
    const big = new Uint32Array(100_000);
    big[99_999] = 4;
    expect(() => aggregator.ingest(big, new Float64Array(100_000))).toThrow(RangeError);
    expect(aggregator.summarize().count[0]).toBe(0);
    expect(aggregator.summarize().count[1]).toBe(1);
    expect(() => new SeriesAggregator({ seriesCount: 0 })).toThrow(RangeError);
    expect(() => new SeriesAggregator({ seriesCount: 2, ewmaAlpha: 2 })).toThrow(/ewmaAlpha/);
    expect(() => new SeriesAggregator({ seriesCount: 2, windowBuckets: 0 })).toThrow(/windowBuckets/);
    expect(() => aggregator.sketch(4)).toThrow(RangeError);
  });
});
