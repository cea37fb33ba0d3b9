import { planMigrationStorage, type StorageContext } from '../../shared/engine/storage'
import { english, msg } from '../../shared/i18n'
import type { Action, MessageRef, MigrateAction, MigrationStorage, Plan, PlanStep, Recommendation, ReversibleAction, Snapshot } from '../../shared/model'
import { CommandError, estimateSeconds, renderAction, verifyCommands, type CommandContext } from '../hosts/libvirt/commands'

/** A plan refused: in English, and as a message when VirtPilot words it (not a host's own text). */
export class PlanError extends Error {
  override name = 'PlanError'
  readonly ref: MessageRef | undefined

  constructor(message: string | MessageRef) {
    super(typeof message === 'string' ? message : english(message))
    this.ref = typeof message === 'string' ? undefined : message
  }
}

/** Lowers what the VM holds on its host (freeing room before anything moves in). */
function frees(ra: ReversibleAction): boolean {
  const { action, rollback } = ra
  if (action.kind === 'setVcpus' && rollback.kind === 'setVcpus') return action.count < rollback.count
  if (action.kind === 'setMemory' && rollback.kind === 'setMemory') return action.memoryMiB < rollback.memoryMiB
  return false
}

function hostsOf(action: Action): string[] {
  return action.kind === 'migrate' ? [action.from, action.to] : [action.host]
}

function vmOf(action: Action): string | undefined {
  return 'vm' in action ? action.vm : undefined
}

/**
 * The storage side of a migration as the hosts are now: what it copies and how long that takes;
 * a reason when the destination cannot take the VM's disks (no pool, no room) or when what the
 * action copies is no longer what must be copied. Undefined when storage was not read.
 */
export function migrationStorageNow(action: MigrateAction, storage: StorageContext | undefined): { storage?: MigrationStorage; refusal?: MessageRef } {
  if (!storage) return {}
  const plan = planMigrationStorage(action.vm, action.from, action.to, storage)
  if (!plan) return {}
  if (!plan.ok) return { refusal: msg('apply.refusal.cannotMoveTo', { to: action.to, reason: plan.reasonRef }) }
  const want = [...plan.copyDisks].sort().join(', ')
  const got = [...(action.copyDisks ?? [])].sort().join(', ')
  if (want !== got) return { refusal: msg('apply.refusal.disksChanged', { want, got }) }
  return { storage: plan.storage }
}

/** Commands resolve VMs by UUID and destinations by the address VirtPilot reaches them at. */
export function commandContext(snapshot: Snapshot, migrationAddressOf: (hostId: string) => string | undefined, allowUnsafeMigration: boolean): CommandContext {
  const uuids = new Map(snapshot.vms.map((v) => [v.id, v.uuid]))
  // Demo hosts have no address; their name stands in so demo plans read like real ones.
  const demo = new Set(snapshot.hosts.filter((h) => h.source === 'demo').map((h) => h.id))
  // Proxmox VE keeps guests in its own cluster config: virsh changes would be overwritten or refused there.
  const proxmox = new Map(snapshot.hosts.filter((h) => h.source === 'proxmox').map((h) => [h.id, h.name]))
  return {
    uuidOf: (vmId) => uuids.get(vmId),
    migrationAddressOf: (h) => migrationAddressOf(h) ?? (demo.has(h) ? h : undefined),
    allowUnsafeMigration,
    refusalFor: (h) => (proxmox.has(h) ? msg('apply.refusal.proxmox', { host: proxmox.get(h)! }) : undefined),
  }
}

/**
 * Orders approved recommendations into steps: shrinks first (they free room), then migrations
 * (one per host pair at a time, enforced when running), then grows; steps of one recommendation
 * keep their order. Every step carries its exact commands, read-back and rollback (a dry run).
 */
export function buildPlan(input: {
  id: string
  now: number
  approvedBy: string
  recommendations: readonly Recommendation[]
  snapshot: Snapshot
  ctx: CommandContext
  parallelism: number
  /** Storage as discovered: migrations are checked against the destination's pools and timed with their copy. */
  storage?: StorageContext
}): Plan {
  const { recommendations, ctx, snapshot } = input
  const memoryOf = new Map(snapshot.vms.map((v) => [v.id, v.allocation.memoryMiB]))
  const nameOf = new Map(snapshot.vms.map((v) => [v.id, v.name]))
  const drafts: { rec: Recommendation; ra: ReversibleAction; index: number; phase: number }[] = []
  const problems: MessageRef[] = []
  for (const rec of recommendations) {
    rec.actions.forEach((ra, index) => {
      const phase = ra.action.kind === 'migrate' ? 1 : frees(ra) ? 0 : 2
      drafts.push({ rec, ra, index, phase })
    })
  }
  drafts.sort((a, b) => a.phase - b.phase)

  const steps: PlanStep[] = []
  const phaseOf = new Map<string, number>()
  // Where each VM is by the time a step runs: a resize after a move in the same plan runs on the new host.
  const location = new Map<string, string>()
  for (const [n, draft] of drafts.entries()) {
    const vmId = vmOf(draft.ra.action)
    const movedTo = vmId !== undefined ? location.get(vmId) : undefined
    const d = movedTo && draft.ra.action.kind !== 'migrate' && 'host' in draft.ra.action && 'host' in draft.ra.rollback
      ? { ...draft, ra: { action: { ...draft.ra.action, host: movedTo }, rollback: { ...draft.ra.rollback, host: movedTo } } as ReversibleAction }
      : draft
    if (d.ra.action.kind === 'migrate') location.set(d.ra.action.vm, d.ra.action.to)
    const id = `step-${n + 1}`
    let rendered
    try {
      rendered = {
        commands: renderAction(d.ra.action, ctx),
        verify: verifyCommands(d.ra.action, ctx),
        rollbackCommands: renderAction(d.ra.rollback, ctx),
      }
    } catch (error) {
      if (error instanceof CommandError) {
        problems.push(msg('apply.refusal.cannotApplyItem', { title: d.rec.titleRef ?? d.rec.title, reason: error.ref }))
        continue
      }
      throw error
    }
    const disks = d.ra.action.kind === 'migrate' ? migrationStorageNow(d.ra.action, input.storage) : {}
    if (disks.refusal) {
      problems.push(msg('apply.refusal.cannotApplyItem', { title: d.rec.titleRef ?? d.rec.title, reason: disks.refusal }))
      continue
    }
    const touches = hostsOf(d.ra.action)
    const vm = vmOf(d.ra.action)
    // Depends on: earlier steps of the same recommendation or VM, and earlier-phase steps on a host it touches.
    const dependsOn = steps
      .filter((s) => {
        const sameRec = s.recommendationId === d.rec.id
        const sameVm = vm !== undefined && vmOf(s.action) === vm
        const earlierPhaseSameHost = phaseOf.get(s.id)! < d.phase && hostsOf(s.action).some((h) => touches.includes(h))
        return sameRec || sameVm || earlierPhaseSameHost
      })
      .map((s) => s.id)
    phaseOf.set(id, d.phase)
    const recTitle: MessageRef | string = d.rec.titleRef ?? d.rec.title
    const part = { title: recTitle, index: d.index + 1, of: d.rec.actions.length }
    const titleRef: MessageRef | undefined =
      // A rebalance's steps are its moves: each says which VM goes where and which of the set's moves it is
      // (its number in the set as recommended, also when only some were approved).
      d.rec.rebalance && d.ra.action.kind === 'migrate'
        ? msg('apply.step.move', {
            vm: nameOf.get(d.ra.action.vm) ?? d.ra.action.vm,
            from: d.ra.action.from,
            to: d.ra.action.to,
            index: (d.rec.rebalance.approved?.moves[d.index] ?? d.index) + 1,
            of: d.rec.rebalance.moves.length,
          })
        : d.rec.actions.length > 1
          ? msg('apply.step.part', part)
          : d.rec.titleRef
    steps.push({
      id,
      recommendationId: d.rec.id,
      title: titleRef ? english(titleRef) : d.rec.title,
      ...(titleRef ? { titleRef } : {}),
      action: d.ra.action,
      rollback: d.ra.rollback,
      host: d.ra.action.kind === 'migrate' ? d.ra.action.from : d.ra.action.host,
      ...rendered,
      estimatedSeconds: estimateSeconds(d.ra.action, vm ? memoryOf.get(vm) : undefined, disks.storage?.copySeconds),
      ...(disks.storage ? { storage: disks.storage } : {}),
      dependsOn,
      state: 'pending',
    })
  }
  if (problems.length > 0) throw new PlanError(msg('apply.refusal.cannotApply', { clauses: problems }))
  if (steps.length === 0) throw new PlanError(msg('apply.refusal.nothingToApply'))
  return {
    id: input.id,
    createdAt: input.now,
    approvedBy: input.approvedBy,
    recommendationIds: recommendations.map((r) => r.id),
    steps,
    state: 'ready',
    parallelism: input.parallelism,
    allowUnsafeMigration: ctx.allowUnsafeMigration,
  }
}
