import type { maintenanceEn, rulesEn, rulesEngineEn, thresholdEn } from './rules.en'

/** 放置规则、迁移阈值与维护模式（DRS 式控制），简体中文。 */
export const rulesZhCN: typeof rulesEn = {
  title: '放置规则',
  subtitle: '引擎在均衡和制定计划时遵守的规则：虚拟机放在一起或分开、只在某些主机上运行、不参与均衡。当前放置违反规则时，下一次分析会给出修正建议。',
  empty: '尚无规则。',
  kinds: {
    affinity: '放在一起',
    'anti-affinity': '分开放置',
    'host-must': '必须运行在指定主机',
    'host-should': '应当运行在指定主机',
    pin: '固定到一台主机',
    exclude: '不参与均衡',
  },
  kindHelp: {
    affinity: '这些虚拟机始终运行在同一台主机上（一起迁移）。',
    'anti-affinity': '这些虚拟机中任意两台都不共用一台主机。',
    'host-must': '这些虚拟机只在这些主机上运行（硬性：绝不放到别处）。',
    'host-should': '只要这些主机有余量，虚拟机就运行在其上（软性：以优先级 2 给出修正，均衡不会把它们迁走）。',
    pin: '该虚拟机只在这台主机上运行。',
    exclude: '均衡绝不迁移这些虚拟机；维护和硬性规则仍会迁移，但需经您批准的计划。',
  },
  columns: { id: '规则', kind: '类型', vms: '虚拟机', hosts: '主机', created: '添加时间', actions: '' },
  add: '添加规则',
  addTitle: '新规则',
  kind: '类型',
  vms: '虚拟机',
  hosts: '主机',
  name: '名称（可选）',
  namePlaceholder: '例如：数据库分开',
  save: '添加',
  cancel: '取消',
  remove: '删除',
  removeRule: '删除规则 {rule}',
  added: '已添加规则 {rule}；下一次分析将遵守它。',
  removed: '已删除规则 {rule}。',
  refused: '未添加：{reason}',
  conflict: {
    unknownVm: '集群中没有虚拟机 {vm}。',
    unknownHost: '集群中没有主机 {host}。',
    duplicate: '已存在相同的规则：{rule}。',
    togetherAndApart: '{a} 和 {b} 将既要放在一起（亲和）又要分开（反亲和）。',
    noHostLeft: '{vm} 将没有可运行的主机：它的“必须运行”规则和固定规则（{rules}）没有共同的主机。',
    affinityNoHost: '{vms} 必须放在一起，但它们的“必须运行”规则和固定规则没有共同的主机。',
    shouldOutsideMust: '{vm} 必须运行在 {must} 上，不能再偏好 {should}。',
    apartTooFew: '{count} 台虚拟机必须分开（{vms}），但它们只能使用 {hosts} 台主机。',
  },
}

export const thresholdZhCN: typeof thresholdEn = {
  title: '迁移阈值',
  help: '与 vSphere DRS 相同：均衡迁移需带来多少收益，引擎才会提出。1 最保守，5 最激进。规则、维护和分配上限要求的迁移在任何级别都会提出。',
  label: '阈值',
  names: { 1: '1 保守', 2: '2', 3: '3 默认', 4: '4', 5: '5 激进' },
  level1: '只提出规则、维护和分配上限要求的迁移；不为均衡负载而迁移。',
  level2: '只要大收益：每次迁移至少降低主机负载 5 个百分点（离散度加峰值），并至少消除当前不均衡的 10 %，实时迁移每多一分钟再加 5 %。',
  level3: '每次迁移至少消除当前不均衡的 1 %，实时迁移每多一分钟再加 1 %（默认）。',
  level4: '每次迁移至少消除当前不均衡的 0.3 %，实时迁移每多一分钟再加 0.3 %。',
  level5: '激进：每次迁移至少消除当前不均衡的 0.1 %，实时迁移每多一分钟再加 0.05 %；很小的收益也会迁移虚拟机。',
}

export const maintenanceZhCN: typeof maintenanceEn = {
  enter: '进入维护',
  exit: '退出维护',
  confirmEnter: '{host} 在退出维护之前不再接收任何放置。VirtPilot 会规划把其上运行的虚拟机实时迁移到其他主机（遵守规则和分配比例）；由您审阅并执行该计划。',
  entered: '{host} 已进入维护。',
  planReady: '疏散计划已就绪：请审阅并执行。',
  planProblem: '尚未生成计划：{problem}',
  allowUnsafe: '生成计划（允许不安全迁移）',
  openPlan: '打开计划',
  nothingToMove: '没有需要迁移的运行中虚拟机。',
  exited: '{host} 重新接收放置。',
  inMaintenance: '自 {time} 起处于维护中：不接收放置。',
  staysOn: '留在 {host}',
  staying: {
    notRunning: '{vm} 处于 {state} 状态：仍定义在 {host} 上（只实时迁移运行中的虚拟机）。',
    external: '{vm} 由其他均衡器管理。',
    noRoom: '{vm}：{why}',
  },
}

export const rulesEngineZhCN: typeof rulesEngineEn = {
  required: {
    maintenance: '必需：{host} 处于维护中。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    pinned: '必需：{vm} 必须运行在 {hosts} 上（规则 {rule}）。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    antiAffinity: '必需：{vm} 与一台必须分开的虚拟机共用主机 {host}（规则 {rule}）。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    affinity: '必需：{vms} 必须放在一起（规则 {rule}）。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    overLimit: '必需：{host} 超出其分配比例。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    preferred: '规则要求：{vm} 应当运行在 {hosts} 上（规则 {rule}）。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
  },
  evacuate: {
    title: '为维护疏散 {host}：{count} 次迁移',
    rationale: '{host} 处于维护中：其上运行的虚拟机迁往其他主机（{vms}），实时迁移，共约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。在退出维护之前，不会向它放置任何虚拟机。',
  },
}
