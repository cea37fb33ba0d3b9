import type { ruleChangesEn } from './rule-changes.en'
import type { Catalogue } from './types'

/** 放置规则与维护模式的变更：审计日志条目、规则本身的字段问题、命令行 rules 与 maintenance 的拒绝，术语见 docs/glossary.md。 */
export const ruleChangesZhCN: Catalogue<typeof ruleChangesEn> = {
  kinds: {
    affinity: '亲和性',
    'anti-affinity': '反亲和性',
    'host-must': '必须运行在指定宿主机',
    'host-should': '应当运行在指定宿主机',
    'host-must-not': '不得运行在指定宿主机',
    'host-should-not': '不应运行在指定宿主机',
    pin: '固定到宿主机',
    exclude: '不参与均衡',
  },
  newRule: '新规则',
  noRoom: '没有宿主机能在容量和规则允许的范围内接收它',
  audit: {
    added: '已添加规则：{rule}（{what}）',
    removed: '已删除规则：{rule}（{what}）',
    what: '{vms} 的{kind}规则',
    whatOn: '{vms} 的{kind}规则，宿主机 {hosts}',
    maintenanceEntered: '进入维护模式：{host} 在退出维护之前不再接收任何放置',
    maintenanceExited: '退出维护模式：{host} 重新接收放置',
    maintenanceOf: '维护 {host}',
  },
  shape: {
    vmTwice: '{field}：同一台虚拟机出现了两次',
    hostTwice: '{field}：同一台宿主机出现了两次',
    needsTwoVms: '{field}：{kind}规则至少需要两台虚拟机',
    namesNoHost: '{field}：{kind}规则不指定宿主机',
    needsOneVm: '{field}：{kind}规则至少需要一台虚拟机',
    needsOneHost: '{field}：{kind}规则至少需要一台宿主机',
    pinOneVm: '{field}：固定规则只指定一台虚拟机',
    pinOneHost: '{field}：固定规则只指定一台宿主机',
  },
  cli: {
    needsJson: '{command} 需要 --json',
    listNoArgument: 'rules list 不接受参数',
    needsKind: 'rules add 需要规则类型 KIND：{kinds}',
    invalid: '{clauses}',
    needsRuleId: 'rules remove 需要且只需要一个规则 ID',
    rulesVerb: 'rules 需要 list、add 或 remove',
    unknownRulesVerb: '未知的 rules 命令 {verb}',
    ambiguousVm: '{vm} 对应 {count} 台虚拟机（{ids}）：请给出 ID',
    unknownVm: '{file} 中没有虚拟机 {vm}（运行 `virtpilot collect` 读取宿主机）',
    noRule: '{file} 中没有规则 {id}（参见：virtpilot rules list --json）',
    needsHost: 'maintenance {verb} 需要且只需要一台宿主机 HOST',
    needsHostNoVerb: 'maintenance 需要且只需要一台宿主机 HOST',
    maintenanceVerb: 'maintenance 需要 enter 或 exit',
    unknownMaintenanceVerb: '未知的 maintenance 命令 {verb}',
    notInMaintenance: '{host} 不在维护模式中',
  },
}
