import type { storeEn } from './store.en'
import type { Catalogue } from './types'

/** 指标存储（Prometheus 及兼容存储）相关的文字：缺少什么、如何修复。 */
export const storeZhCN: Catalogue<typeof storeEn> = {
  missing: {
    nodeExporter: '{store} 中没有 {metrics}：请在每台宿主机上部署 node_exporter（Debian：prometheus-node-exporter），并加入 Prometheus 的 scrape_configs。在 Proxmox VE 上，单独使用 prometheus-pve-exporter 也可以。',
  },
  pve: {
    noNodeExporter: '{store} 中有 Proxmox 的 pve-exporter 指标，但没有 node_exporter：节点的 CPU 和内存取自 Proxmox；在每个节点运行 node_exporter（Debian：prometheus-node-exporter）之前，节点的磁盘、网络和压力图表为空。',
    nodesUnmatched: '存储中的 Proxmox 节点（{nodes}）与您的 SSH 宿主机（{hosts}）都不匹配：其中的虚拟机只读（只给建议，不执行）。如果它们是同一批机器，请用节点名添加宿主机，或在“设置 → 指标来源”中写一行宿主机名映射，例如 {example}。',
  },
}
