import type { automationEn } from './automation.en'
import type { Catalogue } from './types'

/** 自动化级别（DRS 式）的文字：各级别、某条优化建议为何留给管理员、自动化的审计条目。 */
export const automationZhCN: Catalogue<typeof automationEn> = {
  levels: {
    disabled: '已禁用',
    manual: '手动',
    'partially-automated': '半自动',
    'fully-automated': '全自动',
  },
  skip: {
    notMove: '只有实时迁移会自动执行；规格调整和调优需经您批准。',
    request: '由 {who} 提出：需要手动批准。',
    managed: '{vm} 由 {manager} 管理：VirtPilot 不迁移它。',
    vmLevel: '{vm} 设为{level}。',
    clusterLevel: '集群设为{level}。',
    notP1: '半自动只执行 P1 修正；这条是 P{priority}。',
    belowThreshold: 'P{priority} 低于迁移阈值：全自动执行 P1 到 P{threshold}。',
    window: '不在维护窗口内：等待下一个窗口。',
    maintenance: '涉及处于维护模式的 {host}。',
    hostDown: '{host} 的状态为 {state}。',
    stale: '{host} 的最新读数已是 {seconds} 秒前。',
    unread: '{host} 尚未读取。',
    inPlan: '{vm} 已在计划 {plan} 中。',
    copiesDisks: '需要把磁盘复制到目标宿主机：存储迁移需经您批准。',
    unsafe: 'libvirt 认为这次迁移不安全（宿主机缓存的磁盘），自动计划不允许这样做。',
    changed: '分析之后集群已变化：{reason}',
    nextRound: '等待下一次分析：每轮一个计划，只含一种自动批准。',
    cap: '已达到每小时 {cap} 次自动迁移的上限（最近一小时 {used} 次）。',
    rule: '会违反规则或上限：{reason}',
  },
  state: {
    off: '自动化已关闭：所有级别均为手动。',
    paused: '自动化已暂停。',
    busy: '有计划正在执行：结束前不会开始新的计划。',
    ready: '已决定。',
  },
  reason: {
    p1: 'P1 修正，自动执行（{level}）',
    threshold: '迁移阈值 {threshold} 下的 P{priority}，在维护窗口内（{level}）',
  },
  audit: {
    set: '自动化设置：{level}，{zone} 时区的 {windows} 个窗口，每小时最多 {cap} 次自动迁移{unsafe}',
    unsafe: '，允许不安全的迁移',
    vm: '{vm} 的自动化：{level}',
    vmDefault: '{vm} 的自动化：跟随集群',
    paused: '自动化已暂停：不再开始自动操作；正在执行的自动计划{running}',
    pausedFinish: '将执行到结束',
    pausedCancel: '将被取消',
    resumed: '自动化已恢复',
    cancelled: '自动计划 {plan} 已取消：自动化已暂停',
    planFailed: '自动化无法制定或开始计划：{reason}',
    withdrawn: '自动计划 {plan} 已撤回，未执行任何命令：其虚拟机可在下一轮重新考虑',
  },
}
