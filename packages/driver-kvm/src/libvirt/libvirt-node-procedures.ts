import { EMPTY_BODY, type LibvirtCall } from './libvirt-call.js';
import type { XdrReader } from './xdr-reader.js';
import { XdrWriter } from './xdr-writer.js';

/** `virNodeInfo`. */
export interface NodeInfo {
  /** CPU model (`x86_64`). */
  model: string;
  /** Memory in KiB. */
  memoryKiB: bigint;
  /** Active CPUs. */
  cpus: number;
  /** CPU frequency in MHz. */
  mhz: number;
  /** NUMA nodes. */
  nodes: number;
  /** Sockets per node. */
  sockets: number;
  /** Cores per socket. */
  cores: number;
  /** Threads per core. */
  threads: number;
}

/** The host's capabilities XML (`virConnectGetCapabilities`). */
export function getCapabilities(call: LibvirtCall, signal?: AbortSignal): Promise<string> {
  return call('CONNECT_GET_CAPABILITIES', EMPTY_BODY, (r) => r.string(), signal);
}

/** The host's name (`virConnectGetHostname`). */
export function getHostname(call: LibvirtCall, signal?: AbortSignal): Promise<string> {
  return call('CONNECT_GET_HOSTNAME', EMPTY_BODY, (r) => r.string(), signal);
}

/** CPU and memory of the host (`virNodeGetInfo`). */
export function nodeGetInfo(call: LibvirtCall, signal?: AbortSignal): Promise<NodeInfo> {
  return call(
    'NODE_GET_INFO',
    EMPTY_BODY,
    (reader) => {
      // char model[32] travels as 32 XDR ints.
      const characters: number[] = [];
      for (let index = 0; index < 32; index += 1) characters.push(reader.int());
      const model = String.fromCharCode(...characters.filter((character) => character > 0));
      return {
        model,
        memoryKiB: reader.unsignedHyper(),
        cpus: reader.int(),
        mhz: reader.int(),
        nodes: reader.int(),
        sockets: reader.int(),
        cores: reader.int(),
        threads: reader.int(),
      };
    },
    signal,
  );
}

/** Host memory statistics in KiB (`total`, `free`, `buffers`, `cached`), over all NUMA cells. */
export function nodeGetMemoryStats(call: LibvirtCall, signal?: AbortSignal): Promise<Record<string, bigint>> {
  // nparams, cellNum (-1: all cells), flags
  const request = (count: number): Buffer => new XdrWriter().int(count).int(-1).uint(0).toBuffer();
  return readNodeStats(call, 'NODE_GET_MEMORY_STATS', request, signal);
}

/** Host CPU times in nanoseconds (`kernel`, `user`, `idle`, `iowait`), summed over all CPUs. */
export function nodeGetCpuStats(call: LibvirtCall, signal?: AbortSignal): Promise<Record<string, bigint>> {
  // cpuNum (-1: all CPUs), nparams, flags
  const request = (count: number): Buffer => new XdrWriter().int(-1).int(count).uint(0).toBuffer();
  return readNodeStats(call, 'NODE_GET_CPU_STATS', request, signal);
}

const readStat = (reader: XdrReader) => [reader.string(), reader.unsignedHyper()] as const;

/** Node statistics the way libvirt hands them out: a first call says how many there are, a second reads them. */
async function readNodeStats(
  call: LibvirtCall,
  procedure: 'NODE_GET_MEMORY_STATS' | 'NODE_GET_CPU_STATS',
  request: (count: number) => Buffer,
  signal: AbortSignal | undefined,
): Promise<Record<string, bigint>> {
  const count = await call(
    procedure,
    request(0),
    (reader) => {
      reader.array(readStat);
      return reader.int();
    },
    signal,
  );
  return await call(
    procedure,
    request(count),
    (reader) => Object.fromEntries(reader.array(readStat)),
    signal,
  );
}
