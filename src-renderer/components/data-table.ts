// naive-ui's data table on its own, for LazyDataTable: imported only dynamically, so the
// table's code (with its pagination, select, checkbox and radio) stays out of the start chunks.
export { NDataTable } from 'naive-ui'
