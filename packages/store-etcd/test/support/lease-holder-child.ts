// A lease holder for etcd-faults.test.ts, run as its own process so the test can freeze it with SIGSTOP. It takes the
// lease, then every 200 ms writes `work/target` fenced by the lease and renews the lease, ignoring a failed renewal
// on purpose (the careless leader fencing exists for): so after a freeze its next fenced write is always attempted.
// It prints `holding <token>`, `wrote <n>` after each write, and `refused <code>` (then exits) once a write is refused.
// Arguments: the endpoints (comma-separated), the prefix, the lease ttl in ms.
import { NovaCronError } from '@novacron/core';
import { createEtcdStateStore } from '../../src/index.js';

const [endpoints, prefix, ttl] = process.argv.slice(2);
const store = await createEtcdStateStore({
  endpoints: endpoints!.split(','),
  prefix: prefix!,
  callTimeoutMs: 3_000,
});
const lease = await store.acquireLease('leader', 'child', Number(ttl));
if (lease === undefined) throw new Error('The child could not take the lease.');
console.log(`holding ${lease.fencingToken}`);
for (let count = 1; ; count += 1) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  try {
    await store.put('work/target', { by: 'child', count }, { fence: lease });
  } catch (error) {
    if (!NovaCronError.isInstance(error) || error.code !== 'CONFLICT') throw error;
    console.log(`refused ${error.code}`);
    await store.close();
    process.exit(0);
  }
  console.log(`wrote ${count}`);
  await lease.renew().catch(() => {});
}
