import type { Language } from '../../shared/model'

/**
 * `--help` in the CLI's language. The synopsis lines (commands and options, what the admin types)
 * stay as they are; each description under them (the lines indented by six spaces) and the
 * headings are said in Chinese. A description this map does not know stays English, so a new
 * command's help is never lost (a unit test holds every description translated).
 */

/** The Chinese description of each command, by the words of the synopsis line above it ("virtpilot hosts"). */
export const HELP_ZH_CN: Record<string, string> = {
  'virtpilot serve': `在浏览器中提供此应用。会打印一个带一次性访问令牌的 URL。
默认绑定 127.0.0.1，除非 --host 另行指定；--port 0 会选择一个空闲端口。
绑定其他地址时需要 --tls-cert 和 --tls-key（PEM；HTTPS 和 WSS）：令牌和 SSH 密码不能以明文
穿过网络。请求必须在 Host 头中给出此服务器的名称：绑定的地址，或一个 --public-name（绑定
0.0.0.0 和 :: 时必需）。`,
  'virtpilot demo': `以 JSON 打印内置演示集群的一个快照（宿主机、虚拟机、最新样本）。
--at（ISO 8601 或 epoch 毫秒）选择其重放的跟踪数据中的时刻：相同的 TIME 给出相同的快照。`,
  'virtpilot hosts': `数据文件中的宿主机，与应用的“宿主机”页面保存的相同。add 检查 TARGET（user@host[:port]、
~/.ssh/config 中的别名，或 qemu+ssh://user@host[:port]/system），进行连接，显示未知主机密钥的
指纹并询问（或用 --accept-new 直接信任），读取宿主机一次并保存；无法读取时退出码为 1（宿主机
仍保留：请修复原因，或将其移除）。forget-key 从 VirtPilot 自己的 known_hosts（在数据文件旁边）
中删除重装过的宿主机的旧主机密钥。`,
  'virtpilot collect': `带 --data（或不给 TARGET）：像应用一样通过 SSH 读取数据文件中的宿主机（全部，或按 ID 或目标
指定的宿主机），读取清单和 N 个样本（默认 1 个），样本间隔 S 秒（默认 2 秒），并存入文件。给出
TARGET 且不带 --data：读取这些目标但不添加，也不保存任何内容（未知主机密钥会被拒绝，除非
--accept-new）。打印每台宿主机的最后一个样本。有宿主机无法读取时退出码为 1，并指明是哪一台。
给出存储地址时：通过 HTTP API 从兼容 Prometheus 的存储（Prometheus、Thanos、Mimir、
VictoriaMetrics）读取 node_exporter 报告的每台宿主机和 libvirt exporter 报告的每台虚拟机。带
--data 时，该存储成为数据文件的指标来源（会保存；其中的 SSH 宿主机随后从它读取统计数据，存储中
的其他宿主机为只读），样本会被保存。--host-map 把存储中宿主机的名称（instance、地址或 nodename）
对应到某台 SSH 宿主机的名称。--cluster-label 指定用其取值区分 Proxmox VE 集群的抓取标签（默认 job）。`,
  'virtpilot recommend': `运行优化引擎：规格调整、通过实时迁移进行负载均衡（贪心算法，在小集群上与 HiGHS 精确最优解对照）、
整合、调优建议；每条建议都经过计划校验器检查。在数据文件的宿主机上：逐台读取直到得到完整样本，
并使用文件中保存的使用历史（或 --history，格式同 export-history 的输出）。--demo 使用内置演示集群
（不写入数据文件）；--snapshot 使用保存的快照。--max-moves：可选迁移次数（8）；
--min-relative-gain：一次迁移至少要消除的当前不均衡的比例，每分钟实时迁移再加同样的比例（0.01）；
--cpu-ratio 和 --mem-ratio：本次运行中每台宿主机采用的超配比，即每个逻辑 CPU 的 vCPU 数和内存
（否则使用数据文件设置中各宿主机的值：未设置时为 4 和 1）。--threshold：迁移阈值，从 1（保守：
只做规则和维护模式要求的迁移）到 5（激进），与“设置”中显示的一致（否则使用数据文件的值，未设置
时为 3）；--max-moves 和 --min-relative-gain 会覆盖它。数据文件中的放置规则和处于维护模式的宿主机
都会遵守。
打印优化建议以及生成它们时所依据的快照（供 'plan' 使用）。`,
  'virtpilot export-history': `以 JSON 写出数据文件中保存的使用历史（每台虚拟机 5 分钟汇总，最近 N 天，默认 30 天），
格式即 'recommend --history' 读取的格式。`,
  'virtpilot request': `手动提出一项变更：它会成为一条由你“请求”的优化建议，附带引擎预测的效果，并像引擎自己的建议
一样，对照宿主机容量、超配比、放置规则和其他管理器进行检查（不通过时给出原因并以 1 退出）。
VM 和 HOST 可用名称或 ID。SIZE 以 MiB 计，或带 G/GiB、M/MiB。请求会留在数据文件的收件箱中
直到被处理；JSON 与 'recommend --json' 打印的格式相同，因此 'plan --from FILE --approve ID'
可以据此生成计划。--demo：在内置演示集群上（不写入数据文件）。`,
  'virtpilot plan': `用你批准的优化建议（ID 来自 'recommend --json'）生成计划：按顺序排列的步骤，附带确切的命令、
回读和回滚（即一次试运行）。虚拟机按数据文件清单中的记录定位，迁移地址来自宿主机的目标（经
~/.ssh/config 解析）；计划用数据文件的密钥签名。`,
  'virtpilot apply': `对照生成该计划的数据文件检查计划文件（被编辑过的计划会被拒绝；之后虚拟机发生变化的计划也是），
然后在数据文件的宿主机上执行：每条命令、回读和回滚都根据步骤的操作重新生成。进度输出到 stderr，
执行完的计划以 JSON 输出。某一步失败会停止计划，并回滚已完成的步骤。除非每一步都已执行，否则
退出码为 1。Ctrl-C 会在步骤之间取消（并中止正在进行的迁移）。`,
  'virtpilot recover': `被中断的计划（VirtPilot 被终止、机器宕机）显示为“已中断”，每个步骤带有其最后已知的状态。不带
--resume 或 --roll-back 时：重新读取每个已中断计划（或 PLAN_ID）的宿主机（每台虚拟机在哪里、它的
vCPU 和内存、哪些步骤已生效）并打印这些计划；不做任何更改。--resume PLAN_ID 先执行变更未生效的
步骤，再执行其余步骤；--roll-back PLAN_ID 从最新的开始撤销已生效的步骤。只要有步骤状态不明（既
看不到其变更，也看不到变更前的状态），两者都会拒绝。进度输出到 stderr。除非继续执行或回滚完成，
否则退出码为 1。`,
  'virtpilot rules': `引擎遵守的放置规则（类似 DRS）。KIND 为 affinity（这些虚拟机运行在同一台宿主机上）、
anti-affinity（任意两台都不共用宿主机）、host-must（这些虚拟机只运行在 --host 指定的宿主机上）、
host-should（在其中有空间时运行在那里）、pin（一台虚拟机固定在一台宿主机上）或 exclude（负载均衡
从不迁移这些虚拟机；维护模式和硬性规则仍会）。虚拟机可用名称或 ID，以数据文件清单中的记录为准。
与其他规则冲突的规则会被拒绝并给出原因（退出码 1）。当前放置违反的规则，会在下次运行引擎时成为
优化建议。`,
  'virtpilot maintenance': `enter：从现在起 HOST 不再接受放置；读取宿主机，引擎规划撤离（遵守规则和超配比的实时迁移），并
生成计划，视为由此命令批准：用 'virtpilot apply PLAN.json' 执行它。打印该计划以及留下的虚拟机和
原因。exit：HOST 重新接受放置。`,
  'virtpilot whatif': `在最多 4 组策略下离线重放一个场景，并以 JSON 打印比较结果（未满足的需求、宿主机利用率、迁移次数、
宿主机开机时长、排队等待、内存超配，以及宿主机有磁盘容量时的磁盘用量和因磁盘被拒绝的请求）。
--import-trace DIR 读取 Bitbrains GWA-T-12 单 VM 文件和/或通用 CSV（vm,timestamp,cpu,mem[,vcpus,
memory,host]）作为场景；--demo 使用演示集群；--example seed-article 是文章中虚拟机 A / 虚拟机 B
所在的宿主机，在静态、动态和混合分配以及 FCFS、SJF 和优先级调度下进行比较，并附有英文和中文的
说明。
SPEC：键=值对，例如 alloc=hybrid,sched=easy,balance=on,balance.every=120,consolidate=on,
headroom=0.2（键：alloc、sched、aging、max-wait、cpu-overcommit、mem-overcommit、
disk-overcommit、balance、balance.every、balance.threshold、balance.min-gain、balance.max-moves、
consolidate、consolidate.every、headroom、name）。不带 --policy 时：静态、动态和混合。场景或跟踪
数据无效时退出码为 1（消息会指明行或字段），用法错误时为 2。`,
  'virtpilot perf-kvm': `一台运行中的虚拟机（名称或 ID）按原因统计的 VM exit，来自在其宿主机上通过 SSH 运行
\`perf kvm stat record -p <其 QEMU 进程>\` N 秒（默认 10 秒，最多 {max} 秒），再运行
\`perf kvm stat report\`。需要宿主机上有 perf 并具有 root 权限（SSH 用户为 root，或可免密码
sudo）。不带 --run：打印确切的命令，不做任何更改。带 --run：执行它，把报告与该虚拟机的历史一起
保存并打印。除非得到了报告，否则退出码为 1。`,
}

/** The lines of the general help that are not synopsis or description: heading, options, exit codes. */
const FRAME_ZH_CN: [RegExp, string][] = [
  [/^(virtpilot \S+) — right-size, balance and tune small KVM\/libvirt labs$/, '$1 — 为小型 KVM/libvirt 实验室调整规格、均衡负载并调优'],
  [/^Usage:$/, '用法：'],
  [/^Options:$/, '选项：'],
  [/^ {2}--data FILE {3}SQLite data file .*$/, '  --data FILE   SQLite 数据文件（默认：$VIRTPILOT_DATA，否则为应用的用户数据文件夹）'],
  [/^ {2}--lang L {6}en or zh-CN: .*$/, '  --lang L      en 或 zh-CN：消息和错误的语言（默认：取自 LANG，否则为 en）；'],
  [/^ {16}--json output stays the same: .*$/, '                --json 输出保持不变：英文文本，并附带每条消息的键和值'],
  [/^Exit codes: 0 ok, 1 failed, 2 bad usage\.$/, '退出码：0 成功，1 失败，2 用法错误。'],
]

/** The first words of a synopsis line: the command it is about ("virtpilot hosts", "virtpilot perf-kvm"). */
function commandOf(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(' ')
}

/** Help text in a language: English as written, or with its descriptions and headings in Chinese. */
export function helpIn(text: string, language: Language, values: Record<string, string | number> = {}): string {
  if (language === 'en') return text
  const out: string[] = []
  let command = ''
  let description: string[] = []
  const flush = () => {
    if (description.length === 0) return
    const zh = HELP_ZH_CN[command]
    out.push(...(zh === undefined ? description : zh.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)).split('\n').map((l) => `      ${l}`)))
    description = []
  }
  for (const line of text.split('\n')) {
    if (/^ {6}\S/.test(line)) {
      description.push(line)
      continue
    }
    flush()
    if (/^ {2}virtpilot /.test(line)) command = commandOf(line)
    const frame = FRAME_ZH_CN.find(([pattern]) => pattern.test(line))
    out.push(frame ? line.replace(frame[0], frame[1]) : line)
  }
  flush()
  return out.join('\n')
}
