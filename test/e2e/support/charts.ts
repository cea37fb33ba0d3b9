import type { Page } from '@playwright/test'

/** What one drawn chart holds, read from its ECharts instance and its canvas. */
export interface ChartReading {
  /** The nearest data-testid around the chart, to name it in a failure. */
  chart: string
  /** Data points in the series of the instance's option. */
  points: number
  /** Coloured pixels inside the plot area (the grid rectangle). */
  coloured: number
  /** Plot area, CSS pixels. */
  plot: { x: number; y: number; width: number; height: number } | null
}

/**
 * Every chart on the page (each draws through LazyChart, which puts its ECharts instance on its
 * element): the data its option holds and the coloured pixels in its plot area. Axes, grid lines,
 * labels and the background are grey in both themes; series are drawn in colour, so coloured
 * pixels inside the plot area mean the series were drawn, not only the axes.
 */
export async function readCharts(page: Page): Promise<ChartReading[]> {
  return page.evaluate(() => {
    interface Instance {
      getOption(): { series?: { data?: unknown[] }[] }
      getModel(): { getComponent(type: string): { coordinateSystem?: { getRect(): { x: number; y: number; width: number; height: number } } } | undefined }
    }
    const readings: ChartReading[] = []
    for (const host of document.querySelectorAll<HTMLElement>('.lazy-chart')) {
      const named = host.closest('[data-testid]')?.getAttribute('data-testid') ?? 'chart'
      const instance = (host as unknown as { echartsInstance?: Instance }).echartsInstance
      // ECharts may draw a series on a layer of its own (the heatmap does): read every canvas.
      const canvases = [...host.querySelectorAll('canvas')]
      if (!instance || canvases.length === 0) {
        readings.push({ chart: named, points: 0, coloured: 0, plot: null })
        continue
      }
      const series = instance.getOption().series ?? []
      const points = series.reduce((n, s) => n + (Array.isArray(s.data) ? s.data.length : 0), 0)
      const plot = instance.getModel().getComponent('grid')?.coordinateSystem?.getRect() ?? null
      let coloured = 0
      for (const canvas of canvases) {
        const context = canvas.getContext('2d')
        if (!plot || !context || plot.width <= 0 || plot.height <= 0 || canvas.clientWidth === 0) continue
        const ratio = canvas.width / canvas.clientWidth
        const x = Math.floor(plot.x * ratio)
        const y = Math.floor(plot.y * ratio)
        const w = Math.max(1, Math.floor(plot.width * ratio))
        const h = Math.max(1, Math.floor(plot.height * ratio))
        const { data } = context.getImageData(x, y, w, h)
        for (let i = 0; i < data.length; i += 4) {
          const r = data[i]!
          const g = data[i + 1]!
          const b = data[i + 2]!
          if (data[i + 3]! > 160 && Math.max(r, g, b) - Math.min(r, g, b) > 48) coloured++
        }
      }
      readings.push({ chart: named, points, coloured, plot: plot && { x: plot.x, y: plot.y, width: plot.width, height: plot.height } })
    }
    return readings
  })
}

/** Charts that hold no data or drew none of it (empty means every chart on the page is fine). */
export async function blankCharts(page: Page, minColoured = 40): Promise<string[]> {
  const readings = await readCharts(page)
  if (readings.length === 0) return ['no chart on the page']
  return readings.filter((r) => r.points === 0 || r.coloured < minColoured).map((r) => `${r.chart}: ${r.points} points, ${r.coloured} coloured pixels in the plot area`)
}
