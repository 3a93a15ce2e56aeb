import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../src/store/file-state-store.js';

const CHILD = join(import.meta.dirname, 'file-store-kill-child.ts');
const KILLS = 40;

/** What the parent knows a key holds: the sequence number of the put that wrote it and its version, or nothing. */
type Expected = { sequence: number; version: number; length: number } | undefined;

interface Operation {
  sequence: number;
  kind: 'put' | 'delete';
  key: string;
  length: number;
}

const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

/**
 * Starts the writer and kills it with SIGKILL a random while after its first acknowledgement. Returns the operations
 * it began and the sequence numbers it acknowledged, read from its stdout.
 */
async function runAndKill(directory: string, first: number, seed: number, delayMs: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, directory, String(first), String(seed)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const before = stdout.includes('ack ');
      stdout += chunk.toString();
      if (!before && stdout.includes('ack ')) setTimeout(() => resolve(), delayMs);
    });
    child.on('exit', () => reject(new Error(`The writer exited before it was killed: ${stderr}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const began: Operation[] = [];
  const acknowledged = new Set<number>();
  // Only whole lines count: a line cut by the kill was never fully printed, so it was never acknowledged.
  for (const line of stdout.split('\n').slice(0, -1)) {
    const [word, sequence, kind, key, length] = line.split(' ');
    if (word === 'ack') acknowledged.add(Number(sequence));
    else
      began.push({
        sequence: Number(sequence),
        kind: kind as Operation['kind'],
        key: key!,
        length: Number(length ?? 0),
      });
  }
  return { began, acknowledged };
}

describe('FileStateStore under kill -9', () => {
  it(`keeps every acknowledged write and tears none, across ${KILLS} SIGKILLs of a writing process`, {
    timeout: 600_000,
  }, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'novacron-kill-'));
    directories.push(directory);
    const expected = new Map<string, Expected>();
    let next = 1;
    for (let run = 0; run < KILLS; run += 1) {
      const seed = 1_000 + run;
      const { began, acknowledged } = await runAndKill(directory, next, seed, Math.floor(Math.random() * 60));
      const store = await FileStateStore.open(directory);
      const context = `run ${run} (seed ${seed}, directory ${directory})`;
      for (const operation of began) {
        const before = expected.get(operation.key);
        const after: Expected =
          operation.kind === 'delete'
            ? undefined
            : { sequence: operation.sequence, version: (before?.version ?? 0) + 1, length: operation.length };
        if (acknowledged.has(operation.sequence)) {
          expected.set(operation.key, after);
          continue;
        }
        // The one operation in flight when the writer died: either outcome is fine, nothing else is.
        const found = describeEntry(await store.get<{ sequence: number; payload: string }>(operation.key));
        expect([summary(before), summary(after)], context).toContain(found);
        expected.set(operation.key, found === summary(after) ? after : before);
      }
      const entries = await store.list<{ sequence: number; payload: string }>('records/');
      const found = Object.fromEntries(entries.map((entry) => [entry.key, describeEntry(entry)]));
      const wanted = Object.fromEntries(
        [...expected].filter(([, value]) => value !== undefined).map(([key, value]) => [key, summary(value)]),
      );
      expect(found, context).toEqual(wanted);
      expect(
        (await readdir(directory)).filter((name) => !name.endsWith('.json')),
        context,
      ).toEqual([]);
      await store.close();
      next = Math.max(next, ...began.map((operation) => operation.sequence + 1));
    }
    expect(next).toBeGreaterThan(KILLS);
  });
});

function summary(expected: Expected): string {
  return expected === undefined ? 'absent' : `#${expected.sequence} v${expected.version} ${expected.length}`;
}

function describeEntry(
  entry: { value: { sequence: number; payload: string }; version: number } | undefined,
): string {
  return entry === undefined
    ? 'absent'
    : `#${entry.value.sequence} v${entry.version} ${entry.value.payload.length}`;
}
