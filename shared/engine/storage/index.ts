/** Storage in the engine: pool forecasts, the storage side of migrations, and its place in balancing. */
export { defaultForecastOptions, poolForecast, type ForecastOptions, type PoolForecast } from './forecast'
export { disksOf, fileIdentity, gibText, linkSpeed, planMigrationStorage, type StorageContext, type StoragePlan } from './migration'
export { withStorage } from './placement'
export { NEARLY_FULL_SHARE, poolHealth, type PoolHealth } from './pool-health'
