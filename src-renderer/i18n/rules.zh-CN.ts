import type { maintenanceEn, rulesEn, thresholdEn } from './rules.en'

/** 放置规则、迁移阈值与维护模式（DRS 式控制），简体中文。 */
export const rulesZhCN: typeof rulesEn = {
  title: '放置规则',
  subtitle: '引擎在均衡和制定计划时遵守的规则：虚拟机放在一起或分开、只在某些宿主机上运行、不参与均衡。当前放置违反规则时，下一次分析会给出修正建议。',
  empty: '尚无规则。',
  kinds: {
    affinity: '放在一起',
    'anti-affinity': '分开放置',
    'host-must': '必须运行在指定宿主机',
    'host-should': '应当运行在指定宿主机',
    'host-must-not': '不得运行在指定宿主机',
    'host-should-not': '不应运行在指定宿主机',
    pin: '固定到一台宿主机',
    exclude: '不参与均衡',
  },
  kindHelp: {
    affinity: '这些虚拟机始终运行在同一台宿主机上（一起迁移）。',
    'anti-affinity': '这些虚拟机中任意两台都不共用一台宿主机。',
    'host-must': '这些虚拟机只在这些宿主机上运行（硬性：绝不放到别处）。',
    'host-should': '只要这些宿主机有余量，虚拟机就运行在其上（软性：以优先级 2 给出修正，均衡不会把它们迁走）。',
    'host-must-not': '这些虚拟机绝不在这些宿主机上运行（硬性：可以使用集群中其他所有宿主机）。',
    'host-should-not': '只要其他宿主机有余量，虚拟机就运行在其他宿主机上（软性：以优先级 2 给出修正，均衡不会把它们迁到这些宿主机上）。',
    pin: '该虚拟机只在这台宿主机上运行。',
    exclude: '均衡绝不迁移这些虚拟机；维护和硬性规则仍会迁移，但需经您批准的计划。',
  },
  columns: { id: '规则', kind: '类型', vms: '虚拟机', hosts: '宿主机', created: '添加时间' },
  add: '添加规则',
  addTitle: '新规则',
  kind: '类型',
  vms: '虚拟机',
  hosts: '宿主机',
  name: '名称（可选）',
  namePlaceholder: '例如：数据库分开',
  save: '添加',
  cancel: '取消',
  remove: '删除',
  removeRule: '删除规则 {rule}',
  added: '已添加规则 {rule}；下一次分析将遵守它。',
  removed: '已删除规则 {rule}。',
  refused: '未添加：{reason}',
}

export const thresholdZhCN: typeof thresholdEn = {
  title: '迁移阈值',
  help: '与 vSphere DRS 相同：均衡迁移需带来多少收益，引擎才会提出。1 最保守，5 最激进。规则、维护和分配上限要求的迁移在任何级别都会提出。',
  label: '阈值',
  names: { 1: '1 保守', 2: '2', 3: '3 默认', 4: '4', 5: '5 激进' },
}

export const maintenanceZhCN: typeof maintenanceEn = {
  enter: '进入维护',
  exit: '退出维护',
  confirmEnter: '{host} 在退出维护之前不再接收任何放置。VirtPilot 会规划把其上运行的虚拟机实时迁移到其他宿主机（遵守规则和分配比例）；由您审阅并执行该计划。',
  entered: '{host} 已进入维护。',
  planReady: '撤离计划已就绪：请审阅并执行。',
  planProblem: '尚未生成计划：{problem}',
  allowUnsafe: '生成计划（允许不安全迁移）',
  openPlan: '打开计划',
  nothingToMove: '没有需要迁移的运行中虚拟机。',
  inMaintenance: '自 {time} 起处于维护中：不接收放置。',
}

