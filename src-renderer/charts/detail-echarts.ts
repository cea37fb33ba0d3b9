import { connect, use, type ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import {
  DataZoomComponent,
  TitleComponent,
  type DataZoomComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type TitleComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
// The shared module registers the canvas renderer, lines, grid, legend and tooltip.
import './echarts'

// The detail views' time series zoom; the title is drawn only into a saved picture (LazyChart's picture).
use([DataZoomComponent, TitleComponent])

/** Charts of one detail view share this group: their cursors and zoom move together. */
export const DETAIL_GROUP = 'virtpilot-detail'
connect(DETAIL_GROUP)

export type DetailChartOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption | TitleComponentOption | TooltipComponentOption | DataZoomComponentOption>
