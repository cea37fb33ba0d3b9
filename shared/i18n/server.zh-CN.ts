import type { serverEn } from './server.en'
import type { Catalogue } from './types'

/** 服务拒绝的原因（优化建议收件箱、假设分析重放），术语见 docs/glossary.md。 */
export const serverZhCN: Catalogue<typeof serverEn> = {
  serve: {
    plainHttp: '拒绝在 {host} 上通过明文 HTTP 提供服务：访问令牌和在应用中输入的每个 SSH 密码都会以未加密的形式传输。请给出 --tls-cert FILE 和 --tls-key FILE（HTTPS 和 WSS），或保留默认的 127.0.0.1 并使用 SSH 隧道。',
    needsPublicName: '在所有地址（{host}）上提供服务需要 --public-name NAME：即浏览器将使用的主机名，服务器会在每个请求的 Host 头中核对它。',
  },
  inbox: {
    noHosts: '没有可分析的宿主机：请添加宿主机或打开演示集群',
    refused: '已拒绝：{clauses}',
    requestRefused: '请求被拒绝：{what} — {clauses}',
    moveTo: '将 {vm} 迁移到 {to}',
    resize: '调整 {vm} 的规格',
    requested: '请求：{title}',
    noRecommendation: '没有优化建议 {id}',
    cannotChange: '“{title}”的状态为“{status}”；已不能再更改',
    vmChanged: '“{title}”：给出建议之后虚拟机发生了变化；请重新运行分析',
    notMoves: '“{title}”不是一组迁移；请整体批准',
    noSuchMove: '“{title}”共有 {count} 次迁移；没有第 {move} 次迁移',
    onlyApproved: '只有已批准的优化建议才能放入计划：“{title}”的状态为“{status}”',
    status: {
      open: '待处理',
      approved: '已批准',
      rejected: '已拒绝',
      snoozed: '已暂缓',
      planned: '已列入计划',
      applied: '已执行',
      failed: '失败',
      superseded: '已过时',
    },
  },
  engine: {
    validatorRefused: '引擎的提案未通过计划校验器，因此没有给出任何建议（请报告此问题）：{clauses}',
    violation: '{code}：{message}',
    andMore: '另有 {count} 项',
    workerCrashed: '引擎工作线程崩溃：{reason}',
    workerExited: '引擎工作线程在答复前退出（代码 {code}）',
    failed: '引擎运行失败：{reason}',
  },
  api: {
    unknownChannel: '没有名为 {channel} 的 API 通道',
    invalidRequest: '对 {channel} 的请求无效',
  },
  perf: {
    noVm: '当前清单中没有虚拟机 {vm}。',
    notRunning: '{vm} 的状态为 {state}：perf kvm stat 只能记录运行中的虚拟机。',
    notOverSsh: '{vm} 所在的宿主机不是 VirtPilot 通过 SSH 读取的（演示集群，或 Prometheus 来源）：perf 需要在宿主机上运行。',
    noPid: 'VirtPilot 还没有看到 {vm} 的 QEMU 进程（每次轮询时从 /run/libvirt/qemu 读取）：请等待下一次轮询。',
  },
  history: {
    noHost: '当前清单中没有宿主机 {host}；请打开“概览”，从列表中选择一台宿主机。',
  },
  whatif: {
    replayFailed: '假设分析重放失败：{reason}',
    replayTooSlow: '假设分析重放超过 {seconds} 秒（上限）：请减少策略组，或使用更短、更小的场景',
    replayTooBig: '假设分析重放所需内存超过 {mib} MiB（上限）：请使用更短或更小的场景',
    workerCrashed: '假设分析工作线程崩溃：{reason}',
    workerExited: '假设分析工作线程在返回结果前退出（代码 {code}）',
    importWorkerCrashed: '导入工作线程崩溃：{reason}',
    importWorkerExited: '导入工作线程在返回结果前退出（代码 {code}）',
  },
}
