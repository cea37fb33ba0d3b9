/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): picks `threshold` points of a series that
 * keep its visual shape (peaks and dips survive, unlike averaging). Keeps the first and last
 * point; x must be ascending.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(x.length, y.length)
  if (threshold >= n || n <= 2) return Array.from({ length: n }, (_, i) => i)
  if (threshold < 3) return threshold <= 0 ? [] : threshold === 1 ? [n - 1] : [0, n - 1]
  const picked: number[] = [0]
  // The n - 2 inner points go into threshold - 2 buckets.
  const every = (n - 2) / (threshold - 2)
  let a = 0
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    // The next bucket's mean is the third vertex of the triangle.
    const nextStart = Math.floor((bucket + 1) * every) + 1
    const nextEnd = Math.min(Math.floor((bucket + 2) * every) + 1, n)
    let meanX = 0
    let meanY = 0
    for (let j = nextStart; j < nextEnd; j++) {
      meanX += x[j]!
      meanY += y[j]!
    }
    const count = Math.max(1, nextEnd - nextStart)
    meanX /= count
    meanY /= count
    const start = Math.floor(bucket * every) + 1
    const end = Math.floor((bucket + 1) * every) + 1
    const ax = x[a]!
    const ay = y[a]!
    let best = start
    let bestArea = -1
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - meanX) * (y[j]! - ay) - (ax - x[j]!) * (meanY - ay))
      if (area > bestArea) {
        bestArea = area
        best = j
      }
    }
    picked.push(best)
    a = best
  }
  picked.push(n - 1)
  return picked
}

/** A series reduced to at most `threshold` points with LTTB. */
export function lttb(t: ArrayLike<number>, values: ArrayLike<number>, threshold: number): { t: number[]; values: number[] } {
  const indices = lttbIndices(t, values, threshold)
  return { t: indices.map((i) => t[i]!), values: indices.map((i) => values[i]!) }
}
