import { run, tryRun } from './run'

/**
 * The lab network: namespace `<name>-hub` holds a bridge with the first address of the subnet,
 * every host namespace `<name>-hN` an `eth0` veth peered into that bridge. The veth pairs are
 * created directly inside the namespaces and the root namespace gets no address on the network,
 * so lab traffic never leaves these namespaces.
 */
export interface LabNetwork {
  hubNamespace: string
  /** First three octets, e.g. `10.200.0`: the hub is .1, host i is .(i+1). */
  subnet: string
}

export const PREFIX_LENGTH = 24
export const hubIpOf = (network: LabNetwork): string => `${network.subnet}.1`
export const hostIpOf = (network: LabNetwork, index: number): string => `${network.subnet}.${index + 2}`

export async function createHub(network: LabNetwork): Promise<void> {
  const hub = network.hubNamespace
  await run(['ip', 'netns', 'add', hub])
  await run(['ip', '-n', hub, 'link', 'set', 'lo', 'up'])
  await run(['ip', '-n', hub, 'link', 'add', 'br0', 'type', 'bridge'])
  await run(['ip', '-n', hub, 'addr', 'add', `${hubIpOf(network)}/${PREFIX_LENGTH}`, 'dev', 'br0'])
  await run(['ip', '-n', hub, 'link', 'set', 'br0', 'up'])
}

/** Adds host namespace `namespace` (index 0-based) with its veth into the hub's bridge. */
export async function createHostNetwork(network: LabNetwork, namespace: string, index: number): Promise<string> {
  const hub = network.hubNamespace
  const ip = hostIpOf(network, index)
  const hubSide = `v${index + 1}`
  await run(['ip', 'netns', 'add', namespace])
  await run(['ip', '-n', namespace, 'link', 'set', 'lo', 'up'])
  await run(['ip', '-n', hub, 'link', 'add', hubSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace])
  await run(['ip', '-n', hub, 'link', 'set', hubSide, 'master', 'br0', 'up'])
  await run(['ip', '-n', namespace, 'addr', 'add', `${ip}/${PREFIX_LENGTH}`, 'dev', 'eth0'])
  await run(['ip', '-n', namespace, 'link', 'set', 'eth0', 'up'])
  return ip
}

/** Network namespaces whose name starts with `<labName>-`. */
export async function labNamespaces(labName: string): Promise<string[]> {
  const listing = (await tryRun(['ip', 'netns', 'list']))?.stdout ?? ''
  return listing
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((namespace) => namespace.startsWith(`${labName}-`))
}

/** PIDs of the processes in a network namespace (`ip netns pids`). */
export async function pidsInNamespace(namespace: string): Promise<number[]> {
  const listing = (await tryRun(['ip', 'netns', 'pids', namespace]))?.stdout ?? ''
  return listing
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number)
}

export async function deleteNamespace(namespace: string): Promise<void> {
  await run(['ip', 'netns', 'delete', namespace])
}
