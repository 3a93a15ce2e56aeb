import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { random } from '../../packages/native-metrics/test/test-data.js';

/** Wall and CPU time of a measured operation, in milliseconds (medians over the runs). */
export interface Timing {
  ms: number;
  cpuMs: number;
}

/**
 * Median wall and CPU time of `runs` calls of `operation`, each with a fresh `setup()`. CPU time
 * (user + system of this process) is what one core spent; on the shared, oversubscribed
 * benchmark machine it is the fairer "one core" figure, so both are reported.
 */
export function measure<T>(runs: number, setup: () => T, operation: (state: T) => void): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const state = setup();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    operation(state);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return { ms: median(wall), cpuMs: median(cpu) };
}

/** `length` lognormal values with the given median (sigma 1). */
export function lognormal(length: number, median: number, seed: number): Float64Array {
  const next = random(seed);
  const values = new Float64Array(length);
  const mu = Math.log(median);
  for (let index = 0; index < length; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    values[index] = Math.exp(mu + radius * Math.cos(angle));
    if (index + 1 < length) values[index + 1] = Math.exp(mu + radius * Math.sin(angle));
  }
  return values;
}

/** Prints rows as an aligned Markdown table. */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  console.log(`\n### ${title}\n`);
  cells.forEach((row, index) => {
    console.log(`| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`);
    if (index === 0) console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  });
}

/** Writes a JSON result file into bench/results/. */
export function writeResult(name: string, data: unknown): string {
  const directory = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(directory, { recursive: true });
  const path = `${directory}${name}.json`;
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
