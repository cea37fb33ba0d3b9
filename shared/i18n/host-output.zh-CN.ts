import type { hostOutputEn } from './host-output.en'
import type { Catalogue } from './types'

/**
 * 宿主机输出无法解析的原因（libvirt 的 XML 和 virsh 输出、/proc 文件、pvesh 的 JSON、perf kvm stat）。
 * 宿主机输出的内容、命令名、文件路径、字段名以及一行应有的格式都作为值原样显示。术语见 docs/glossary.md。
 */
export const hostOutputZhCN: Catalogue<typeof hostOutputEn> = {
  expectedGot: '应为 "{format}" 格式，实际为 {output}',
  unexpectedLine: '无法识别的行 {output}',
  notCounter: '不是计数器值：{value}',
  noLine: '没有 "{text}" 行',
  rootIs: '根元素是 <{name}>，应为 <{expected}>',
  notJson: '不是 JSON，解析器原文：{error}',
  jsonArray: '应为 JSON 数组',
  jsonObject: '应为 JSON 对象',
  hostModel: '宿主机信息不符合 Host 模型，校验器原文：{issues}',
  xml: {
    badReferenceInText: '文本中有无效的字符引用',
    textOutsideRoot: '根元素之外有文本',
    unterminatedComment: '注释没有结束',
    unterminatedCdata: 'CDATA 没有结束',
    cdataOutsideRoot: '根元素之外有 CDATA',
    unterminatedInstruction: '处理指令没有结束',
    declaration: '不接受 DOCTYPE 和其他声明',
    badClosingTag: '结束标签格式不正确',
    closingMismatch: '结束标签 </{closing}> 与 <{open}> 不匹配',
    closingUnopened: '结束标签 </{closing}> 没有对应的开始标签',
    badOpeningTag: '开始标签格式不正确',
    badReferenceInAttribute: '属性值中有无效的字符引用',
    duplicateAttribute: '属性重复',
    badTag: '标签 <{name}> 格式不正确',
    secondRoot: '有不止一个根元素',
    endsInside: '文档在 <{name}> 内部就结束了',
    empty: '没有找到 XML 元素（输出为空？）',
  },
  domainXml: {
    noName: '没有 <name>',
    noUuid: '虚拟机 {name} 没有 <uuid>',
    noVcpu: '没有可用的 <vcpu> 数量',
    badCurrent: 'current={value} 无效',
    noMemory: '没有可用的 <memory>',
    badVcpupin: 'vcpupin 无效：vcpu={vcpu} cpuset={cpuset}',
  },
  capabilities: {
    topology: '<topology> 缺少 sockets/cores/threads',
    cellId: '<cell> 没有 id',
    cpuId: '<cpu> 没有 id',
    siblings: 'siblings 列表无效：{value}',
  },
  domstats: {
    unclosedHeader: '虚拟机标题行缺少结尾的引号：{output}',
    twice: '虚拟机 {name} 输出了两次',
    expectedEither: '应为 "{format}" 或 "{other}" 格式，实际为 {output}',
    fieldBeforeHeader: '字段出现在第一个 "{header}" 标题行之前',
  },
  pool: {
    incomplete: '存储池缺少 name、uuid 或 type',
    notSize: '存储池 {name}：capacity、allocation 或 available 不是有效的容量',
  },
  dominfo: {
    notDominfo: '没有 UUID 或 State 行：这不是 virsh dominfo 的输出',
    cpus: '{field} 不是数字：{value}',
    memory: '{max} 或 {used} 不是 "N KiB" 格式',
  },
  procfs: {
    cpuColumns: '{key} 有 {columns} 列，应至少有 4 列',
    diskColumns: '有 {columns} 列，应为 7 列或至少 14 列',
    netCounters: '应有 16 个计数器',
  },
  mounts: {
    none: 'mountinfo 中没有任何挂载点',
  },
  qemuThreads: {
    processUnder: '进程 {tid} 的进程行出现在虚拟机进程 {pid} 之下',
  },
  proxmox: {
    tooDeep: '不是 pvesh 的输出：JSON 嵌套超过 {max} 层',
    notAsExpected: 'pvesh 输出的字段不符合预期，校验器原文：{issues}',
    coresSockets: 'cores 和 sockets 都应至少为 1',
    noCpuLines: '没有 CPU 行',
  },
  perf: {
    secondTable: '出现了第二个 VM-EXIT 表：一次只能给一份报告',
    unexpectedLine: 'VM-EXIT 表中有无法识别的行：{output}',
    noTable: '没有 VM-EXIT 表：perf 没有生成报告（见它输出的信息）',
    rowsDisagree: '各行合计 {counted} 个样本，而 perf 给出的总数是 {total}',
    noResult: '宿主机没有输出结果，宿主机原文：{output}',
    noResultEmpty: '宿主机没有输出任何结果',
    missing: '宿主机上没有安装 perf（Debian/Ubuntu：linux-perf 或 linux-tools；RHEL：perf）',
    needsRoot: 'perf kvm stat 需要 root 权限：请以 root 身份登录，或允许该 SSH 用户通过 sudo 免密码运行 perf',
    noProcess: '虚拟机的 QEMU 进程已不存在（上次轮询后已停止或重启）：请在下一次轮询后重试',
    recordFailed: 'perf kvm stat record 失败',
    recordSaid: 'perf kvm stat record 失败，perf 原文：{output}',
    reportFailed: '{problem}，perf 原文：{output}',
  },
}
