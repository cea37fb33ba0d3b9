import type { engineEn } from './engine.en'
import type { Catalogue } from './types'

/** 引擎的文字（建议、迁移、数值、说明、假设分析）：键与英文一致，术语见 docs 中的术语表。 */
export const engineZhCN: Catalogue<typeof engineEn> = {
  rebalance: {
    title: '再平衡：{count} 次迁移',
    rationale:
      '{count} 次实时迁移，合计将宿主机 CPU 负载峰值从 {peakBefore} 降至 {peakAfter}，宿主机负载离散度从 {spreadBefore} 降至 {spreadAfter}（按未来 {hours} 小时的预测需求计算）。下面每次迁移都列出它自身的效果（在它之前的迁移完成后计算）以及它需要等待的迁移；只批准其中一部分时，VirtPilot 会重新计算这部分单独能达到的效果。',
    rationaleHeldBack: '{rationale}{heldBack}',
    heldBack: '未列入：预测还倾向于另外 {moves} 次迁移；但按过去 {days} 天每天同一时段的实际负载，它们都不会降低最繁忙宿主机的负载，其收益在预测误差之内。',
  },
  move: {
    title: '将 {vm} 从 {from} 迁移到 {to}',
    ontoHottestSwap: '把 {vm} 迁到最繁忙的宿主机 {host}，只是作为与 {partner}（第 {move} 次迁移）互换位置的另一半，后者从 {host} 移走的负载更多：两者合计使 {host} 的 CPU 负载从 {before} 降至 {after}。',
    ontoHottest: '把 {vm} 迁到原先最繁忙的宿主机 {host}；之前的迁移已使它的 CPU 负载降至 {load}，现在有余量。',
    offHottest: '从最繁忙的宿主机 {host} 移走 {cores} 核的需求。',
    offHottestSwap: '从最繁忙的宿主机 {host} 移走 {cores} 核的需求。与 {partner}（第 {move} 次迁移）互换位置。',
    spread: '平衡宿主机负载：把 {cores} 核的需求从 {from} 移到 {to}。',
    spreadSwap: '平衡宿主机负载：把 {cores} 核的需求从 {from} 移到 {to}。与 {partner}（第 {move} 次迁移）互换位置。',
  },
  managed: {
    reason: '{vm} 由 {manager} 管理（{ref}，读自 {source}）：VirtPilot 不会迁移它，也不会调整它的规格，因此这只是一条建议。请通过 {manager} 进行更改。',
    reasonDetail: '{vm} 由 {manager} 管理（{ref}，读自 {source}；{detail}）：VirtPilot 不会迁移它，也不会调整它的规格，因此这只是一条建议。请通过 {manager} 进行更改。',
  },
  request: {
    migrateTitle: '{user} 请求：将 {vm} 从 {from} 迁移到 {to}',
    resizeTitle: '{user} 请求：将 {vm} 调整为 {vcpus} 个 vCPU、{memoryMiB} MiB 内存',
    rationale: '{user} 请求了此项更改。计划校验器已按宿主机容量、分配比例和放置规则检查过它；图中数值是引擎依据其预测的需求得出的预估。',
  },
  figure: {
    memory: '内存',
    hostVcpus: '{host} 已分配的 vCPU（上限 {limit}）',
    spread: '宿主机负载离散度',
    peakCpu: '宿主机 CPU 负载峰值',
    peakMemory: '宿主机内存负载峰值',
    hostCpu: '{host} CPU 负载',
    vcpus: 'vCPU 数',
  },
  oversized: {
    title: '{vm} 的 vCPU 数多于 {host} 的逻辑 CPU 数：{vcpus} → {cpus}',
    rationale: '{vm} 在 {host} 上有 {vcpus} 个 vCPU，而该宿主机只有 {cpus} 个逻辑 CPU：它的 vCPU 永远无法同时运行；某个 vCPU 持有锁却被宿主机调度出去时，其他自旋等待这把锁的 vCPU 分到的 CPU 时间就白白浪费了。请把它减到最多 {cpus} 个。',
  },
  required: {
    rule: '（规则 {rule}）',
    maintenance: '必需：{host} 处于维护中。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    pinned: '必需：{vm} 必须运行在 {hosts} 上{rule}。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    antiAffinity: '必需：{vm} 与一台必须分开的虚拟机共用主机 {host}{rule}。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    affinity: '必需：{vms} 必须放在一起{rule}。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    overLimit: '必需：{host} 超出其分配比例。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
    preferred: '规则要求：{vm} 应当运行在 {hosts} 上{rule}。实时迁移约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。',
  },
  evacuate: {
    title: '为维护疏散 {host}：{count} 次迁移',
    rationale: '{host} 处于维护中：其上运行的虚拟机迁往其他主机（{vms}），实时迁移，共约 {seconds} 秒；之后主机 CPU 峰值负载为 {peak}。在退出维护之前，不会向它放置任何虚拟机。',
  },
}
