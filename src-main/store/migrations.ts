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
  `
  -- Hosts the admin added (real hypervisors reached over SSH).
  CREATE TABLE managed_hosts (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL UNIQUE,   -- as typed: user@host:port, ssh alias, qemu+ssh URI
    display_name TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    added_at INTEGER NOT NULL,
    last_seen_at INTEGER
  );
  -- Passwords and passphrases, encrypted by the OS keychain (Electron safeStorage) only.
  CREATE TABLE secrets (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
  );
  -- 5-minute rollups of the raw samples, kept far longer than the raw ones.
  CREATE TABLE host_rollups (
    host_id TEXT NOT NULL,
    t INTEGER NOT NULL,            -- bucket start, epoch ms
    n INTEGER NOT NULL,
    cpu_pct_mean REAL NOT NULL, cpu_pct_max REAL NOT NULL, cpu_pct_p95 REAL NOT NULL,
    cpu_used_cores_mean REAL NOT NULL, cpu_used_cores_max REAL NOT NULL,
    mem_used_mib_mean REAL NOT NULL, mem_used_mib_max REAL NOT NULL, mem_total_mib REAL NOT NULL,
    disk_read_bps_mean REAL NOT NULL, disk_write_bps_mean REAL NOT NULL,
    net_rx_bps_mean REAL NOT NULL, net_tx_bps_mean REAL NOT NULL,
    PRIMARY KEY (host_id, t)
  ) WITHOUT ROWID;
  CREATE INDEX host_rollups_by_time ON host_rollups (t);
  CREATE TABLE vm_rollups (
    vm_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    t INTEGER NOT NULL,
    n INTEGER NOT NULL,
    cpu_used_cores_mean REAL NOT NULL, cpu_used_cores_max REAL NOT NULL, cpu_used_cores_p95 REAL NOT NULL,
    cpu_ready_pct_mean REAL NOT NULL, cpu_ready_pct_max REAL NOT NULL,
    mem_used_mib_mean REAL NOT NULL, mem_used_mib_max REAL NOT NULL, mem_used_mib_p95 REAL NOT NULL,
    disk_read_bps_mean REAL NOT NULL, disk_write_bps_mean REAL NOT NULL,
    disk_read_iops_mean REAL NOT NULL, disk_write_iops_mean REAL NOT NULL,
    net_rx_bps_mean REAL NOT NULL, net_tx_bps_mean REAL NOT NULL,
    PRIMARY KEY (vm_id, t)
  ) WITHOUT ROWID;
  CREATE INDEX vm_rollups_by_time ON vm_rollups (t);
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  -- The engine's recommendations and the admin's decisions on them.
  CREATE TABLE recommendations (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,            -- the Recommendation as JSON (shared/model)
    status TEXT NOT NULL,          -- open, approved, rejected, snoozed, planned, applied, failed, superseded
    reason TEXT,                   -- why it was rejected
    snoozed_until INTEGER,
    decided_at INTEGER,
    decided_by TEXT,
    applied_at INTEGER,
    effect TEXT                    -- measured effect after apply, JSON
  );
  CREATE INDEX recommendations_by_status ON recommendations (status);
  -- Plans of approved recommendations; steps are rewritten at every state change.
  CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL             -- the Plan as JSON
  );
  -- Everything that was decided or run, never updated, never deleted by VirtPilot.
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    t INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    plan_id TEXT,
    step_id TEXT,
    recommendation_id TEXT,
    host TEXT,
    argv TEXT,                     -- JSON array
    exit_code INTEGER,
    output TEXT,
    message TEXT NOT NULL
  );
  CREATE INDEX audit_by_time ON audit (t);
  `,
  `
  -- What-if scenarios the admin built, imported or saved (shared/model/scenario.ts as JSON).
  CREATE TABLE whatif_scenarios (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,          -- demo | live | file | bitbrains | generic-csv
    hosts INTEGER NOT NULL,
    vms INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    step_seconds INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,     -- epoch ms
    data TEXT NOT NULL
  );
  `,
  `
  -- Contention a host's kernel reports (PSI, swap, load); NULL where the host does not say.
  ALTER TABLE host_samples ADD COLUMN cpu_pressure_pct REAL;
  ALTER TABLE host_samples ADD COLUMN mem_pressure_pct REAL;
  ALTER TABLE host_samples ADD COLUMN io_pressure_pct REAL;
  ALTER TABLE host_samples ADD COLUMN swap_in_bps REAL;
  ALTER TABLE host_samples ADD COLUMN swap_out_bps REAL;
  ALTER TABLE host_samples ADD COLUMN load1 REAL;
  ALTER TABLE host_rollups ADD COLUMN cpu_pressure_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN mem_pressure_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN io_pressure_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN swap_in_bps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN swap_out_bps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN load1_mean REAL;
  `,
  `
  -- The process running a plan (JSON: pid, machine, process start), so another process opening the
  -- file can tell a plan still running elsewhere from one cut short by a crash.
  ALTER TABLE plans ADD COLUMN runner TEXT;
  `,
  `
  -- Storage pools at each discovery: capacity and use over time, what the
  -- days-to-full forecast reads; the latency of the pool's devices since the previous one.
  CREATE TABLE pool_samples (
    host_id TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    t INTEGER NOT NULL,
    capacity_bytes REAL NOT NULL,
    allocation_bytes REAL NOT NULL,
    available_bytes REAL NOT NULL,
    volume_capacity_bytes REAL,    -- sum of its volumes' sizes (what thin volumes may grow to)
    read_ms_per_op REAL,
    write_ms_per_op REAL,
    busy_pct REAL,
    PRIMARY KEY (host_id, pool_id, t)
  ) WITHOUT ROWID;
  CREATE INDEX pool_samples_by_time ON pool_samples (t);
  -- Throughput of finished migrations between two hosts: the measured link speed a storage copy is timed with.
  CREATE TABLE link_speeds (
    from_host TEXT NOT NULL,
    to_host TEXT NOT NULL,
    t INTEGER NOT NULL,
    bytes REAL NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (from_host, to_host, t)
  ) WITHOUT ROWID;
  `,
  `
  -- The admin's placement rules (affinity, anti-affinity, must / should run on hosts, pin, exclude).
  CREATE TABLE placement_rules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    vms TEXT NOT NULL,             -- JSON array of VM ids
    hosts TEXT NOT NULL,           -- JSON array of host ids
    name TEXT,
    created_at INTEGER NOT NULL,   -- epoch ms
    created_by TEXT NOT NULL
  );
  -- Hosts in maintenance: they take no placements until they leave it.
  CREATE TABLE host_maintenance (
    host_id TEXT PRIMARY KEY,
    since INTEGER NOT NULL,        -- epoch ms
    by TEXT NOT NULL,
    plan_id TEXT
  );
  -- The virtualization layer, measured: a VM's QEMU CPU by thread kind (cores) and KVM counters, a host's vmstat
  -- figures, and iostat figures per block device. NULL where the host does not show them.
  ALTER TABLE vm_samples ADD COLUMN qemu_vcpu_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN qemu_emulator_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN qemu_iothread_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN qemu_vhost_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN qemu_other_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN overhead_cores REAL;
  ALTER TABLE vm_rollups ADD COLUMN qemu_vcpu_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN qemu_emulator_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN qemu_iothread_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN qemu_vhost_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN qemu_other_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN overhead_cores_mean REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_exits_ps REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_halt_exits_ps REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_io_exits_ps REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_mmio_exits_ps REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_irq_injections_ps REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_tlb_flushes_ps REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_halt_poll_success_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_halt_poll_fail_cores REAL;
  ALTER TABLE vm_samples ADD COLUMN kvm_halt_wait_cores REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_exits_ps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_halt_exits_ps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_io_exits_ps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_mmio_exits_ps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_irq_injections_ps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_tlb_flushes_ps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_halt_poll_success_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_halt_poll_fail_cores_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_halt_wait_cores_mean REAL;
  ALTER TABLE host_samples ADD COLUMN procs_running REAL;
  ALTER TABLE host_samples ADD COLUMN procs_blocked REAL;
  ALTER TABLE host_samples ADD COLUMN swap_used_mib REAL;
  ALTER TABLE host_samples ADD COLUMN page_in_kbps REAL;
  ALTER TABLE host_samples ADD COLUMN page_out_kbps REAL;
  ALTER TABLE host_samples ADD COLUMN interrupts_ps REAL;
  ALTER TABLE host_samples ADD COLUMN context_switches_ps REAL;
  ALTER TABLE host_samples ADD COLUMN cpu_user_pct REAL;
  ALTER TABLE host_samples ADD COLUMN cpu_system_pct REAL;
  ALTER TABLE host_samples ADD COLUMN cpu_idle_pct REAL;
  ALTER TABLE host_samples ADD COLUMN cpu_iowait_pct REAL;
  ALTER TABLE host_samples ADD COLUMN cpu_steal_pct REAL;
  ALTER TABLE host_rollups ADD COLUMN procs_running_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN procs_blocked_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN swap_used_mib_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN page_in_kbps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN page_out_kbps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN interrupts_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN context_switches_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN cpu_user_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN cpu_system_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN cpu_idle_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN cpu_iowait_pct_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN cpu_steal_pct_mean REAL;
  -- iostat -x per device and poll (sysstat's formulas); 5-minute means in disk_rollups.
  CREATE TABLE disk_samples (
    host_id TEXT NOT NULL,
    device TEXT NOT NULL,
    t INTEGER NOT NULL,
    reads_ps REAL NOT NULL,
    writes_ps REAL NOT NULL,
    read_kbps REAL NOT NULL,
    write_kbps REAL NOT NULL,
    read_await_ms REAL,            -- NULL when no read completed
    write_await_ms REAL,
    queue_size REAL NOT NULL,      -- aqu-sz
    util_pct REAL NOT NULL,
    PRIMARY KEY (host_id, device, t)
  ) WITHOUT ROWID;
  CREATE INDEX disk_samples_by_time ON disk_samples (t);
  CREATE TABLE disk_rollups (
    host_id TEXT NOT NULL,
    device TEXT NOT NULL,
    t INTEGER NOT NULL,
    n INTEGER NOT NULL,
    reads_ps REAL NOT NULL,
    writes_ps REAL NOT NULL,
    read_kbps REAL NOT NULL,
    write_kbps REAL NOT NULL,
    read_await_ms REAL,
    write_await_ms REAL,
    queue_size REAL NOT NULL,
    util_pct REAL NOT NULL,
    PRIMARY KEY (host_id, device, t)
  ) WITHOUT ROWID;
  CREATE INDEX disk_rollups_by_time ON disk_rollups (t);
  -- perf kvm stat runs the admin asked for, per VM: the command, how it ended, the report (JSON).
  CREATE TABLE perf_runs (
    id TEXT PRIMARY KEY,
    vm_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    t INTEGER NOT NULL,
    data TEXT NOT NULL             -- the PerfKvmRun as JSON (shared/model)
  );
  CREATE INDEX perf_runs_by_vm ON perf_runs (vm_id, t);
  `,
  `
  -- Audit entries keep what they say as a message (key and values, JSON) beside the English text,
  -- so an entry written in English reads in the admin's language later.
  ALTER TABLE audit ADD COLUMN message_ref TEXT;
  `,
  `
  -- A host's KVM counters as rates (from /sys/kernel/debug/kvm, or summed over its VMs); NULL without KVM counters.
  ALTER TABLE host_samples ADD COLUMN kvm_exits_ps REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_halt_exits_ps REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_io_exits_ps REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_mmio_exits_ps REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_irq_injections_ps REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_tlb_flushes_ps REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_halt_poll_success_cores REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_halt_poll_fail_cores REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_halt_wait_cores REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_exits_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_halt_exits_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_io_exits_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_mmio_exits_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_irq_injections_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_tlb_flushes_ps_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_halt_poll_success_cores_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_halt_poll_fail_cores_mean REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_halt_wait_cores_mean REAL;
  `,
  `
  -- The name VirtPilot gave a scenario, as a message (JSON), so it reads in the admin's language.
  ALTER TABLE whatif_scenarios ADD COLUMN name_ref TEXT;
  `,
  `
  -- Paging inside a guest, from its balloon statistics; NULL when the guest does not report them.
  ALTER TABLE vm_samples ADD COLUMN guest_swap_in_bps REAL;
  ALTER TABLE vm_samples ADD COLUMN guest_swap_out_bps REAL;
  ALTER TABLE vm_samples ADD COLUMN guest_major_faults_ps REAL;
  ALTER TABLE vm_rollups ADD COLUMN guest_swap_in_bps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN guest_swap_out_bps_mean REAL;
  ALTER TABLE vm_rollups ADD COLUMN guest_major_faults_ps_mean REAL;
  `,
  `
  -- KVM's remote TLB flushes per second (domstats --vm, or /sys/kernel/debug/kvm), per VM and host; NULL without them.
  ALTER TABLE vm_samples ADD COLUMN kvm_remote_tlb_flushes_ps REAL;
  ALTER TABLE vm_rollups ADD COLUMN kvm_remote_tlb_flushes_ps_mean REAL;
  ALTER TABLE host_samples ADD COLUMN kvm_remote_tlb_flushes_ps REAL;
  ALTER TABLE host_rollups ADD COLUMN kvm_remote_tlb_flushes_ps_mean REAL;
  `,
]
