/** What main says about a metrics store (Prometheus and compatibles): what is missing and how to fix it, in English. */
export const storeEn = {
  missing: {
    nodeExporter: "{store} holds no {metrics}: deploy node_exporter (Debian: prometheus-node-exporter) on every hypervisor host and add it to Prometheus' scrape_configs. On Proxmox VE, prometheus-pve-exporter alone also serves.",
  },
  pve: {
    noNodeExporter: "{store} holds Proxmox's pve-exporter metrics but no node_exporter: the nodes' CPU and memory come from Proxmox; their disk, network and pressure charts stay empty until node_exporter (Debian: prometheus-node-exporter) runs on each node.",
    nodesUnmatched: 'The Proxmox nodes in the store ({nodes}) match none of your SSH hosts ({hosts}): their guests are read-only (advice, no apply). If they are the same machines, add the host by the node\'s name, or write a host-names line such as {example} in Settings → Metrics source.',
  },
} as const
