/**
 * Schema changes in order; the database's `user_version` says how many have run.
 * Never edit a released step: add a new one.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE hosts (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    data TEXT NOT NULL,          -- the Host as JSON (shared/model)
    first_seen INTEGER NOT NULL, -- epoch ms
    last_seen INTEGER NOT NULL
  );
  CREATE TABLE vms (
    id TEXT PRIMARY KEY,
    host_id TEXT NOT NULL,
    data TEXT NOT NULL,          -- the Vm as JSON
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  );
  CREATE TABLE host_samples (
    host_id TEXT NOT NULL,
    t INTEGER NOT NULL,
    cpu_pct REAL NOT NULL,
    cpu_used_cores REAL NOT NULL,
    mem_used_mib REAL NOT NULL,
    mem_total_mib REAL NOT NULL,
    disk_read_bps REAL NOT NULL,
    disk_write_bps REAL NOT NULL,
    net_rx_bps REAL NOT NULL,
    net_tx_bps REAL NOT NULL,
    PRIMARY KEY (host_id, t)
  ) WITHOUT ROWID;
  CREATE INDEX host_samples_by_time ON host_samples (t);
  CREATE TABLE vm_samples (
    vm_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    t INTEGER NOT NULL,
    cpu_pct REAL NOT NULL,
    cpu_used_cores REAL NOT NULL,
    cpu_ready_pct REAL NOT NULL,
    mem_used_mib REAL NOT NULL,
    disk_read_bps REAL NOT NULL,
    disk_write_bps REAL NOT NULL,
    disk_read_iops REAL NOT NULL,
    disk_write_iops REAL NOT NULL,
    net_rx_bps REAL NOT NULL,
    net_tx_bps REAL NOT NULL,
    PRIMARY KEY (vm_id, t)
  ) WITHOUT ROWID;
  CREATE INDEX vm_samples_by_time ON vm_samples (t);
  `,
]
