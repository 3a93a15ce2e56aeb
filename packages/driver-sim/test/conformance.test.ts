import { testDriver } from '@novacron/core/testing';
import { createSimDriver } from '../src/index.js';

// The sim with its defaults (8 hosts, 5 ms transitions, 25-item pages), as examples and users get it. The suite runs
// it twice: as it is, and wrapped in core's withFaults (throttling, 5xx, lost responses, latency). The sim's own
// fault injection (driver.sim.setFaults) is tested in src/sim-faults.test.ts.
testDriver({
  name: 'sim (defaults)',
  factory: () => createSimDriver({ seed: 1 }),
  createSpec: (name) => ({ name, size: 'sim.small', image: 'debian-12' }),
  missingVmId: 'vm-ffffffff',
});
