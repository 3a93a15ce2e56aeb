import { type ChildProcess, spawn } from 'node:child_process';

// Shared by the AWS benchmark and the AWS example (the driver's tests start moto in their vitest global setup).

/** A moto server this process uses: one it started (and stops) or one named by `MOTO_URL`. */
export interface MotoServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Empties moto (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops moto by PID if this process started it. */
  stop(): Promise<void>;
}

/**
 * Uses the moto server at `MOTO_URL`, or starts `moto_server -H 127.0.0.1 -p 0` and reads its port.
 * Without moto on PATH it throws, saying how to install it (`pip install 'moto[server]'`).
 */
export async function useMotoServer(): Promise<MotoServer> {
  const external = process.env.MOTO_URL;
  if (external) return server(external.replace(/\/$/, ''), undefined);
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += String(chunk);
      const match = /Running on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) =>
      reject(
        new Error(
          `Cannot start moto_server (${error.message}). Install it: pip install 'moto[server]', or set MOTO_URL.`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}:\n${output}`)));
  });
  return server(url, child);
}

function server(url: string, child: ChildProcess | undefined): MotoServer {
  return {
    url,
    async reset() {
      const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop() {
      if (child === undefined || child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
