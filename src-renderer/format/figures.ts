import type { Units } from './units'

/**
 * A predicted or measured figure with its unit, as the engine reports it: known units go
 * through the shared formatters, others are shown with their own unit word.
 */
export function formatFigure(units: Units, value: number, unit: string): string {
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 0 : 1
  switch (unit) {
    case '%':
      return units.percent(value)
    case 'MiB':
      return units.memory(value)
    case 'GiB':
      return units.gib(value * 1024)
    case 'cores':
      return units.cores(value)
    case 'vCPU':
      return units.vcpus(value)
    default:
      return units.counted(value, unit, digits) ?? `${units.fixed(value, digits)} ${unit}`
  }
}
