// The writer that file-store-kill.test.ts kills with SIGKILL: it applies operations to a FileStateStore one at a
// time and prints `begin` before and `ack` after each, so the parent knows what was acknowledged and what was in
// flight when the process died. Arguments: the directory, the first sequence number, a seed.
import { writeSync } from 'node:fs';
import { FileStateStore } from '../src/store/file-state-store.js';

const [directory, firstArgument, seedArgument] = process.argv.slice(2);
if (directory === undefined) throw new Error('usage: file-store-kill-child <directory> <first> <seed>');
let seed = Number(seedArgument);
/** A small seeded generator (mulberry32), so a failing run can be replayed from the seed in its message. */
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const store = await FileStateStore.open(directory);
for (let sequence = Number(firstArgument); ; sequence += 1) {
  const key = `records/${Math.floor(random() * 12)}`;
  if (random() < 0.1) {
    writeSync(1, `begin ${sequence} delete ${key}\n`);
    await store.delete(key);
  } else {
    // Values up to ~200 KB, so a write that is not atomic would be caught half-written.
    const value = { sequence, payload: 'x'.repeat(Math.floor(random() * 200_000)) };
    writeSync(1, `begin ${sequence} put ${key} ${value.payload.length}\n`);
    await store.put(key, value);
  }
  writeSync(1, `ack ${sequence}\n`);
}
