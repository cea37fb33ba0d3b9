import { connect, use, type ComposeOption } from 'echarts/core'
import { BarChart, HeatmapChart, type BarSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts'
import {
  DataZoomComponent,
  TitleComponent,
  VisualMapComponent,
  type DataZoomComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type TitleComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components'
// The shared module registers the canvas renderer, lines, grid, legend and tooltip.
import './echarts'

// The title is drawn only into a saved picture (LazyChart's picture).
use([BarChart, HeatmapChart, DataZoomComponent, TitleComponent, VisualMapComponent])

/** Charts of one detail view share this group: their cursors and zoom move together. */
export const DETAIL_GROUP = 'virtpilot-detail'
connect(DETAIL_GROUP)

export type DashboardChartOption = ComposeOption<
  LineSeriesOption | BarSeriesOption | HeatmapSeriesOption | GridComponentOption | LegendComponentOption | TitleComponentOption | TooltipComponentOption | DataZoomComponentOption | VisualMapComponentOption
>
