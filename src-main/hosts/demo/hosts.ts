import type { Host } from '../../../shared/model'

function host(id: string, model: string, sockets: number, cores: number, memoryGiB: number, mhz: number): Host {
  const threadsPerCore = 2
  const threads = sockets * cores * threadsPerCore
  const perSocket = cores * threadsPerCore
  return {
    id,
    name: id,
    source: 'demo',
    state: 'online',
    cpu: { model, sockets, coresPerSocket: cores, threadsPerCore, threads, mhz },
    memoryMiB: memoryGiB * 1024,
    // One NUMA cell per socket, CPUs numbered socket by socket as Linux usually does.
    numa: Array.from({ length: sockets }, (_, cell) => ({
      id: cell,
      cpus: Array.from({ length: perSocket }, (_, i) => cell * perSocket + i),
      memoryMiB: (memoryGiB * 1024) / sockets,
    })),
    tags: ['demo'],
  }
}

/** Three hosts of different sizes, as small labs tend to have. */
export const demoHosts: readonly Host[] = [
  host('demo-a', 'Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz', 2, 8, 128, 2100),
  host('demo-b', 'AMD EPYC 7272 12-Core Processor', 1, 12, 96, 2900),
  host('demo-c', 'Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz', 1, 8, 96, 3400),
]
