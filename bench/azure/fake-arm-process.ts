/**
 * The fake ARM server in a process of its own, for the Azure benchmark: its work (TLS, routing, state) then stays out
 * of the client CPU the benchmark measures. Driven over IPC: it sends `{ url, ca }` once listening, then answers
 * `'state'` with `{ vms, nics, requests }` and `'clear'` by forgetting the recorded requests; it exits on `'close'`.
 */
import { startFakeArm } from '@novacron/driver-azure/testing';

// Bodies are not checked here: the benchmark measures the clients; the tests check every body the driver sends.
const fake = await startFakeArm({ validateRequests: false });
process.on('message', async (message) => {
  if (message === 'state') {
    process.send?.({ vms: fake.vms.size, nics: fake.nics.size, requests: fake.requests.length });
  } else if (message === 'clear') {
    fake.requests.length = 0;
    process.send?.({ cleared: true });
  } else if (message === 'close') {
    await fake.close();
    process.disconnect?.();
  }
});
process.send?.({ url: fake.url, ca: fake.ca });
