import { defineAsyncComponent } from 'vue'

/**
 * naive-ui's data table, loaded when first shown: the Overview's tables sit below its charts, and
 * the table is the largest part of naive-ui, so the Overview starts and draws without it.
 */
export const LazyDataTable = defineAsyncComponent(() => import('./data-table').then((m) => m.NDataTable))
