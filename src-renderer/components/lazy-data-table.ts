import { defineAsyncComponent } from 'vue'
import { afterQueuedCharts } from '../charts/chart-scheduler'

/**
 * naive-ui's data table, loaded when first shown and after the charts in view shown with it: the
 * table is the largest part of naive-ui, and the Overview's tables sit below its charts, so the
 * Overview starts and draws its first charts without it.
 */
export const LazyDataTable = defineAsyncComponent(async () => {
  // The charts rendered with the table queue their first draw when mounted, at the end of this task.
  await new Promise((resolve) => setTimeout(resolve))
  await afterQueuedCharts()
  return (await import('./data-table')).NDataTable
})
