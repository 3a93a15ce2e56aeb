import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The moto server's base URL (`http://127.0.0.1:PORT`), or '' when moto is not installed. */
    motoUrl: string;
    /** Why moto is missing, when it is. */
    motoMissingReason: string;
  }
}

const INSTALL_HINT = "Install it with: pip install 'moto[server]'  (the tests expect moto 5.2.x)";

/**
 * Starts one `moto_server` on a free loopback port for the whole `driver-aws` project and stops it by PID at the end.
 *
 * `MOTO_URL` points the tests at a server that is already running instead (it is then left alone).
 * Without moto, local runs skip the moto-backed tests with a message; under `CI=true` the run fails.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.MOTO_URL;
  if (external) {
    project.provide('motoUrl', external.replace(/\/$/, ''));
    project.provide('motoMissingReason', '');
    return undefined;
  }
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) {
    const reason = `moto_server was not found on PATH. ${INSTALL_HINT}`;
    if (process.env.CI === 'true') throw new Error(`driver-aws tests need moto under CI=true: ${reason}`);
    console.warn(`[driver-aws] skipping moto-backed tests: ${reason}`);
    project.provide('motoUrl', '');
    project.provide('motoMissingReason', reason);
    return undefined;
  }
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION: 'true' },
  });
  const url = await waitForListening(child);
  project.provide('motoUrl', url);
  project.provide('motoMissingReason', '');
  return async () => {
    await stop(child);
  };
}

/** Resolves with `http://127.0.0.1:PORT` once moto prints its "Running on" line. */
function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop(child);
      reject(new Error(`moto_server did not start within 30 s. Output so far:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += String(chunk);
      const match = /Running on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        // Keep draining the pipes so moto never blocks on a full buffer.
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with code ${code} before listening. Output:\n${output}`));
    });
  });
}

/** Stops moto by its PID and waits for it to exit (SIGKILL after 5 s). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
