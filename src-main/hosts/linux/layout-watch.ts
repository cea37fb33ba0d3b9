/**
 * Notices when what discovery reads about a VM changes between two polls (its state, vCPUs,
 * memory, disks, NICs), so that discovery runs again at once instead of waiting for its slow
 * timer. Polls are compared with each other, not with discovery: a difference discovery does not
 * see cannot make it run at every poll.
 */
export class LayoutWatch {
  private last = new Map<string, string>()

  /** True when a VM seen at the previous poll now looks different; remembers this poll. */
  changed(layouts: Iterable<readonly [vm: string, layout: string]>): boolean {
    let changed = false
    const next = new Map<string, string>()
    for (const [vm, layout] of layouts) {
      const before = this.last.get(vm)
      if (before !== undefined && before !== layout) changed = true
      next.set(vm, layout)
    }
    this.last = next
    return changed
  }
}
