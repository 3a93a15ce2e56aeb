import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Root of the vector bin packing instances (override with VBP_DATA). */
export const VBP_ROOT = process.env.VBP_DATA ?? '/work/shared/data/vbp';

/** One VPSolver `.vbp` instance with its known optimum. */
export interface VbpInstance {
  name: string;
  dims: number;
  items: Float64Array;
  capacity: Float64Array;
  count: number;
  optimum: number;
  lowerBound: number;
  /** Best bin count of all heuristics in the published results (a virtual best), when known. */
  publishedBest?: number;
  /** Whether negative sizes in the file were raised to 0. */
  clamped?: boolean;
}

/** Parses a VPSolver `.vbp` file (items expanded by multiplicity). */
export function parseVbp(text: string): { dims: number; capacity: Float64Array; items: Float64Array } {
  const numbers = text.split(/\s+/).filter(Boolean).map(Number);
  let position = 0;
  const dims = numbers[position++]!;
  const capacity = Float64Array.from(numbers.slice(position, position + dims));
  position += dims;
  const lines = numbers[position++]!;
  const items: number[] = [];
  for (let line = 0; line < lines; line += 1) {
    const sizes = numbers.slice(position, position + dims);
    position += dims;
    const multiplicity = numbers[position++]!;
    for (let copy = 0; copy < multiplicity; copy += 1) items.push(...sizes);
  }
  return { dims, capacity, items: Float64Array.from(items) };
}

function findFiles(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) for (const [name, file] of findFiles(path)) files.set(name, file);
    else if (entry.name.endsWith('.vbp')) files.set(entry.name.slice(0, -4), path);
  }
  return files;
}

function load(name: string, path: string, optimum: number, lowerBound: number): VbpInstance {
  const parsed = parseVbp(readFileSync(path, 'utf8'));
  return { name, ...parsed, count: parsed.items.length / parsed.dims, optimum, lowerBound };
}

/**
 * Instances of one published set whose optimum is known (`summary` is the `results/` file), in
 * file order, keeping every `stride`-th one. Some Caprara-style triplet files contain small
 * negative sizes (a quirk of their generator); packVectors rejects negative demands, so those sizes
 * are raised to 0 (`clamped`). That only makes the instance harder, so its gap to the published
 * optimum can only look worse.
 */
export function publishedSet(directory: string, summary: string, stride: number): VbpInstance[] {
  const files = findFiles(join(VBP_ROOT, directory));
  const rows = readFileSync(join(VBP_ROOT, 'results', summary), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const known = rows
    .map((row) => row.split('\t'))
    .filter((cells) => Number(cells[2]) > 0 && files.has(cells[0]!));
  return known
    .filter((_, index) => index % stride === 0)
    .map((cells) => {
      const instance = load(cells[0]!, files.get(cells[0]!)!, Number(cells[2]), Number(cells[1]));
      instance.clamped = instance.items.some((size) => size < 0);
      instance.publishedBest = Number(cells[3]);
      instance.items = instance.items.map((size) => Math.max(size, 0));
      return instance;
    });
}

/** The 2-D synthetic triplets of one class (`C` or `F`), optimum n/3 by construction. */
export function syntheticTriplets(instanceClass: 'C' | 'F'): VbpInstance[] {
  const files = findFiles(join(VBP_ROOT, 'triplet2d_synthetic', instanceClass));
  const rows = readFileSync(join(VBP_ROOT, 'triplet2d_synthetic', 'optima.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return rows
    .map((row) => row.split(','))
    .filter((cells) => files.has(cells[0]!))
    .map((cells) => load(cells[0]!, files.get(cells[0]!)!, Number(cells[5]), Number(cells[4])));
}
