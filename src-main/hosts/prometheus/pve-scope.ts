/** A PromQL string literal's content (label values are data: quotes and backslashes escaped). */
export const quote = (v: string) => JSON.stringify(v)
/** A regex matching exactly these values (RE2, anchored by PromQL). */
export const oneOf = (values: readonly string[]) => quote(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'))

/** A label name as Prometheus allows it. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/**
 * Which Proxmox VE cluster a pve-exporter series belongs to. pve-exporter names objects by `id`
 * (`node/pve1`, `qemu/100`), unique in one cluster only: two labs' clusters, both `pve` with a node
 * `pve1` and a guest 100, give the same ids. While the store holds one cluster (one value of the
 * cluster label) ids stay as they are; with several, every Proxmox id carries its cluster's value
 * after an `@` (`qemu/100@pve-lab-b`, node `pve1@pve-lab-b`), and every query keeps them apart.
 */
export class PveScope {
  /** `label`: the scrape label that tells clusters apart, while the store holds more than one; undefined: one cluster. */
  constructor(readonly label?: string) {}

  /** The labels Proxmox figures are taken once per (several exporters may each give the whole cluster). */
  get by(): string {
    return this.label ? `id, ${this.label}` : 'id'
  }

  /** The scoped id of a series (`qemu/100` or `qemu/100@lab-b`). */
  key(labels: Readonly<Record<string, string>>): string | undefined {
    const id = labels.id
    if (id === undefined) return undefined
    return this.label ? `${id}@${labels[this.label] ?? ''}` : id
  }

  /** A node or guest-node name as the cluster's series scope it (`pve1` or `pve1@lab-b`). */
  name(name: string, labels: Readonly<Record<string, string>>): string {
    return this.label ? `${name}@${labels[this.label] ?? ''}` : name
  }

  /** The selectors that pick exactly these scoped ids: one per cluster (PromQL selectors cannot "or" label pairs). */
  selectors(keys: readonly string[]): string[] {
    if (!this.label) return [`id=~${oneOf(keys)}`]
    const byGroup = new Map<string, string[]>()
    for (const k of keys) {
      const { id, group } = splitScoped(k)
      byGroup.set(group, [...(byGroup.get(group) ?? []), id])
    }
    return [...byGroup].map(([group, ids]) => `id=~${oneOf(ids)},${this.label}=${quote(group)}`)
  }
}

/** `qemu/100@lab-b` -> id `qemu/100`, group `lab-b` (Proxmox ids and node names hold no `@`). */
export function splitScoped(key: string): { id: string; group: string } {
  const at = key.indexOf('@')
  return at < 0 ? { id: key, group: '' } : { id: key.slice(0, at), group: key.slice(at + 1) }
}
