/** Raw samples (one per poll) are kept this long; older ranges are read from rollups. */
export const RAW_RETENTION_MS = 48 * 3600_000
/** 5-minute rollups are kept this long: the long-term history. */
export const ROLLUP_RETENTION_MS = 90 * 24 * 3600_000
