import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the tests read Google's Compute Engine v1 discovery document (cut to the VM methods): the shared data folder
 * beside the repository, never copied into it. `GCE_DISCOVERY` points the tests at another copy (the whole document
 * from https://compute.googleapis.com/$discovery/rest?version=v1 works too).
 */
export const GCE_DISCOVERY_PATH =
  process.env.GCE_DISCOVERY ??
  fileURLToPath(
    new URL(
      '../../../../../shared/data/cloud-contracts/gce/discovery/compute.v1.vm-subset.json',
      import.meta.url,
    ),
  );

/**
 * Whether the document is there. Without it, a local run skips the tests that need the fake server (with a message
 * saying how to get it); under `CI=true` the run fails instead.
 */
export function gceDiscoveryPresent(): boolean {
  if (existsSync(GCE_DISCOVERY_PATH)) return true;
  const reason = `Google's Compute Engine discovery document is missing at ${GCE_DISCOVERY_PATH}. Download it from https://compute.googleapis.com/$discovery/rest?version=v1 and set GCE_DISCOVERY=<its path> (see ../shared/data/cloud-contracts/gce/README.md).`;
  if (process.env.CI === 'true')
    throw new Error(`driver-gcp tests need the discovery document under CI=true: ${reason}`);
  console.warn(`[driver-gcp] skipping the tests against the fake Compute Engine: ${reason}`);
  return false;
}
