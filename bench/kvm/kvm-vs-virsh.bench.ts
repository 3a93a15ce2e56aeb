/**
 * Benchmark: @novacron/driver-kvm's libvirt RPC client against `virsh` (one process per call, what scripts use).
 *
 *   npx tsx bench/kvm/kvm-vs-virsh.bench.ts      (or npm run bench -- kvm; root, Debian packages from docs/kvm.md)
 *
 * Starts its own root libvirtd daemons (the test harness: private mount namespaces under tini), measures:
 *   1. listing 1,000 domains with their state (libvirt's test driver hosted by the daemon),
 *   2. all-domain stats for 100 domains (test driver) and for live qemu guests,
 *   3. live migration time and downtime of a tiny 64 MiB guest between two daemons (ours and virsh's),
 * prints a table and writes bench/results/kvm.json. Everything it starts is stopped at the end.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { promisify } from 'node:util';
import { createKvmDriver } from '../../packages/driver-kvm/src/index.js';
import {
  type DomainRef,
  LibvirtClient,
  ListDomainsFlag,
} from '../../packages/driver-kvm/src/libvirt/index.js';
import {
  kvmAccelerationWorks,
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from '../../packages/driver-kvm/test/support/libvirt-daemon-harness.js';
import { tinyGuestXml } from '../../packages/driver-kvm/test/support/tiny-guest.js';

const run = promisify(execFile);

interface Row {
  operation: string;
  novacronMs: number;
  virshMs: number;
  ratio: number;
}

async function timePerCall(iterations: number, body: () => Promise<unknown>): Promise<number> {
  // Warm-up: a few calls (as many as the measured ones, at most 20) so that the JIT and the daemon's caches settle.
  for (let warmUp = 0; warmUp < Math.min(20, iterations); warmUp += 1) await body();
  const start = performance.now();
  for (let index = 0; index < iterations; index += 1) await body();
  return (performance.now() - start) / iterations;
}

function virsh(uri: string, ...args: string[]): Promise<unknown> {
  return run('/usr/bin/virsh', ['-c', uri, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

function testDomainXml(name: string): string {
  return tinyGuestXml(name).replace(/type='(kvm|qemu)'/, "type='test'");
}

async function main(): Promise<void> {
  const daemons: LibvirtDaemon[] = [];
  const rows: Row[] = [];
  const migrations: Record<string, number[]> = {
    novacronMs: [],
    novacronDowntimeMs: [],
    virshMs: [],
    virshDowntimeMs: [],
  };
  try {
    const daemon = await startLibvirtDaemon({ name: 'bench' });
    daemons.push(daemon);
    const testUri = daemon.uri('test');
    const client = new LibvirtClient(testUri);
    const created: DomainRef[] = [];
    for (let start = 0; start < 1000; start += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, offset) =>
          client.defineDomainXml(testDomainXml(`bench-${start + offset}`)),
        ),
      );
      created.push(...(await Promise.all(batch.map((domain) => client.createDomain(domain)))));
    }

    // 1. list every domain with its state, as `virsh list --all` shows it (running, paused, shut off, other): one
    // list call per state class, all in flight at once on one connection. (One all-domain stats call with the state
    // group gives the same answer plus reasons, at ~20 % more daemon time.)
    const listByState = () =>
      Promise.all(
        [ListDomainsFlag.RUNNING, ListDomainsFlag.PAUSED, ListDomainsFlag.SHUTOFF, ListDomainsFlag.OTHER].map(
          (flag) => client.listAllDomains(flag),
        ),
      );
    const listOurs = await timePerCall(50, listByState);
    const listVirsh = await timePerCall(5, () => virsh(testUri, 'list', '--all'));
    rows.push({
      operation: 'list 1,000 domains + state',
      novacronMs: listOurs,
      virshMs: listVirsh,
      ratio: listVirsh / listOurs,
    });

    // 1b. one domain's state, call by call (what a script's loop does).
    const domain = created[0] as DomainRef;
    const stateOurs = await timePerCall(2000, () => client.getDomainState(domain));
    const stateVirsh = await timePerCall(10, () => virsh(testUri, 'domstate', domain.name));
    rows.push({
      operation: 'one domain state',
      novacronMs: stateOurs,
      virshMs: stateVirsh,
      ratio: stateVirsh / stateOurs,
    });
    // 1c. the loop scripts write: names, then one `virsh domstate` per domain. virsh's side is extrapolated from the
    // measured per-call time (1,000 processes would take most of a minute); ours is measured: every state call in
    // flight at once on one connection.
    const namesVirsh = await timePerCall(5, () => virsh(testUri, 'list', '--all', '--name'));
    const loopOurs = await timePerCall(20, async () => {
      const domains = await client.listAllDomains();
      await Promise.all(domains.map((entry) => client.getDomainState(entry)));
    });
    const loopVirsh = namesVirsh + 1000 * stateVirsh;
    rows.push({
      operation: 'names + 1,000 per-domain state calls (virsh extrapolated)',
      novacronMs: loopOurs,
      virshMs: loopVirsh,
      ratio: loopVirsh / loopOurs,
    });

    // 2. all-domain stats for 100 domains.
    const hundred = created.slice(0, 100);
    const statsOurs = await timePerCall(100, () => client.getAllDomainStats(hundred));
    const statsVirsh = await timePerCall(5, () =>
      virsh(testUri, 'domstats', ...hundred.map((entry) => entry.name)),
    );
    rows.push({
      operation: 'all-domain stats, 100 domains (test driver)',
      novacronMs: statsOurs,
      virshMs: statsVirsh,
      ratio: statsVirsh / statsOurs,
    });
    await client.close();

    // 2b. all-domain stats of live qemu guests (every stats group), 4 tiny guests.
    const source = await startLibvirtDaemon({ name: 'bench-src', migrationPortMin: 49600 });
    daemons.push(source);
    const destination = await startLibvirtDaemon({ name: 'bench-dst', migrationPortMin: 49700 });
    daemons.push(destination);
    const qemu = new LibvirtClient(source.uri('qemu'));
    const guests = await Promise.all(
      [0, 1, 2, 3].map(async (index) =>
        qemu.createDomain(await qemu.defineDomainXml(tinyGuestXml(`bench-q${index}`))),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the guests finish booting
    const qemuOurs = await timePerCall(100, () => qemu.getAllDomainStats(guests));
    const qemuVirsh = await timePerCall(5, () =>
      virsh(source.uri('qemu'), 'domstats', ...guests.map((guest) => guest.name)),
    );
    rows.push({
      operation: 'all-domain stats, 4 live qemu guests',
      novacronMs: qemuOurs,
      virshMs: qemuVirsh,
      ratio: qemuVirsh / qemuOurs,
    });
    // libvirtd walks one bulk stats call's domains one by one in one worker; concurrent per-guest calls spread over
    // its workers (and their qemu monitor round trips overlap).
    const qemuParallel = await timePerCall(100, () =>
      Promise.all(guests.map((guest) => qemu.getAllDomainStats([guest]))),
    );
    rows.push({
      operation: 'same, one concurrent call per guest',
      novacronMs: qemuParallel,
      virshMs: qemuVirsh,
      ratio: qemuVirsh / qemuParallel,
    });
    for (const guest of guests.slice(1)) {
      await qemu.destroyDomain(guest);
      await qemu.undefineDomain(guest);
    }
    await qemu.close();

    // 3. live migration of the tiny guest: ours (driver, p2p) and virsh (p2p), there and back, three rounds.
    const driver = createKvmDriver({
      hosts: [
        { id: 'src', uri: source.uri('qemu'), migrationDataUri: 'tcp://127.0.0.1' },
        { id: 'dst', uri: destination.uri('qemu'), migrationDataUri: 'tcp://127.0.0.1' },
      ],
      domainType: kvmAccelerationWorks() ? 'kvm' : 'qemu',
    });
    const context = {
      signal: new AbortController().signal,
      operationId: 'bench',
      attempt: 1,
      onProgress: () => undefined,
    };
    for (let round = 0; round < 3; round += 1) {
      for (const to of ['dst', 'src']) {
        const start = performance.now();
        const outcome = await driver.doMigrateVm(
          { vmId: 'bench-q0', toHostId: to, mode: 'live', policy: {} },
          context,
        );
        migrations.novacronMs?.push(performance.now() - start);
        if (outcome.downtimeMs !== undefined) migrations.novacronDowntimeMs?.push(outcome.downtimeMs);
      }
    }
    await driver.close();
    for (let round = 0; round < 3; round += 1) {
      for (const [from, to] of [
        [source, destination],
        [destination, source],
      ] as const) {
        const start = performance.now();
        await virsh(
          from.uri('qemu'),
          'migrate',
          '--live',
          '--p2p',
          '--persistent',
          '--undefinesource',
          'bench-q0',
          to.uri('qemu'),
          '--migrateuri',
          'tcp://127.0.0.1',
        );
        migrations.virshMs?.push(performance.now() - start);
        const info = (await virsh(to.uri('qemu'), 'domjobinfo', '--completed', 'bench-q0')) as {
          stdout: string;
        };
        const downtime = /Total downtime:\s+(\d+)/.exec(info.stdout)?.[1];
        if (downtime !== undefined) migrations.virshDowntimeMs?.push(Number(downtime));
      }
    }
  } finally {
    for (const daemon of daemons) await daemon.stop();
  }

  const median = (values: number[] = []): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  console.log(
    `\nlibvirt: @novacron/driver-kvm RPC client vs virsh (per operation, lower is better; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs)\n`,
  );
  console.log('| operation | novacron | virsh | virsh / novacron |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.operation} | ${row.novacronMs.toFixed(3)} ms | ${row.virshMs.toFixed(1)} ms | ${row.ratio.toFixed(0)}x |`,
    );
  }
  const migration = {
    novacronMedianMs: median(migrations.novacronMs),
    novacronMedianDowntimeMs: median(migrations.novacronDowntimeMs),
    virshMedianMs: median(migrations.virshMs),
    virshMedianDowntimeMs: median(migrations.virshDowntimeMs),
    samples: migrations,
  };
  console.log(
    `\nlive migration of a 64 MiB guest (${kvmAccelerationWorks() ? 'KVM' : 'TCG'}), median of 6: novacron ${migration.novacronMedianMs.toFixed(0)} ms ` +
      `(downtime ${migration.novacronMedianDowntimeMs} ms), virsh ${migration.virshMedianMs.toFixed(0)} ms (downtime ${migration.virshMedianDowntimeMs} ms)`,
  );
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('../results/kvm.json', import.meta.url),
    `${JSON.stringify({ at: new Date().toISOString(), rows, migration }, null, 2)}\n`,
  );
}

// Without libvirtd (and not under CI, where that fails loudly) there is nothing to measure.
if (!libvirtAvailable()) process.exit(0);
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
