// One controller replica in its own process, for replica-processes.test.ts, so the test can SIGKILL and SIGSTOP it.
// Its reconcile of key `k` reads the counter `work/k` and writes it back plus one, fenced and versioned, then writes
// `history/<n>` with its identity and fencing token. It prints `leader <token>`, `follower <token> <reason>` and
// `acted <n> <token>` lines. Arguments: the etcd endpoints (comma-separated), the prefix, the identity.
import { createEtcdStateStore } from '@novacron/store-etcd';
import { createController } from '../../src/index.js';

const [endpoints, prefix, identity] = process.argv.slice(2);
const store = await createEtcdStateStore({
  endpoints: endpoints!.split(','),
  prefix: prefix!,
  callTimeoutMs: 3_000,
});
const controller = createController({
  name: 'proof',
  store,
  resync: { keys: () => ['k'], intervalMs: 100 },
  leaderElection: { identity: identity!, ttlMs: 2_000, renewDeadlineMs: 1_200, retryEveryMs: 200 },
  observer: {
    leadershipChanged: (record) =>
      console.log(
        record.leader ? `leader ${record.fencingToken}` : `follower ${record.fencingToken} ${record.reason}`,
      ),
  },
  reconcile: async (key, { fence }) => {
    const current = await store.get<{ n: number }>(`work/${key}`);
    const n = (current?.value.n ?? 0) + 1;
    await store.put(`work/${key}`, { n }, { fence, expectedVersion: current?.version ?? 0 });
    await store.put(
      `history/${String(n).padStart(8, '0')}`,
      { by: identity, token: fence.fencingToken },
      { fence },
    );
    console.log(`acted ${n} ${fence.fencingToken}`);
  },
});
controller.start();
process.on('SIGTERM', async () => {
  await controller.stop({ timeoutMs: 2_000 });
  await store.close();
  process.exit(0);
});
