import { use, type ComposeOption } from 'echarts/core'
import { BarChart, HeatmapChart, type BarSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts'
import { VisualMapContinuousComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption, type VisualMapComponentOption } from 'echarts/components'
// The shared module registers the canvas renderer, lines, grid, legend and tooltip.
import './echarts'

// What the Overview's charts add (bars, the heatmap and its continuous visual map): nothing more, as they
// are drawn at start-up; the detail views' zoom and titles are in detail-echarts.ts.
use([BarChart, HeatmapChart, VisualMapContinuousComponent])

export type DashboardChartOption = ComposeOption<
  LineSeriesOption | BarSeriesOption | HeatmapSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | VisualMapComponentOption
>
