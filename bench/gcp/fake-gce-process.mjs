// Runs the fake Compute Engine of @novacron/driver-gcp/testing (the BUILT package) in a process of its own, so the
// benchmark's client CPU figures hold the callers' work only. Prints `listening <port>` and serves until killed.
// Requests are not validated here (the tests do that, against Google's discovery document): the benchmark measures
// the callers, and every contender sends the same requests. `node fake-gce-process.mjs <stepMs>`: how long each status
// step takes.
import { startFakeGce } from '@novacron/driver-gcp/testing';

const fake = await startFakeGce({ validateRequests: false, stepMs: Number(process.argv[2] ?? 4) });
console.log(`listening ${fake.port}`);
process.on('SIGTERM', () => {
  void fake.close().then(() => process.exit(0));
});
