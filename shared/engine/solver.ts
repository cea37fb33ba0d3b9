/**
 * The slice of the HiGHS API the engine uses (`highs` package, legacy `solve`). The caller
 * loads the wasm and passes the solver in, so the engine stays free of I/O.
 */
export interface MipSolution {
  Status: string
  ObjectiveValue: number
  Columns: Record<string, { Primal?: number }>
}

export interface MipSolver {
  solve(lpText: string, options?: Record<string, string | number | boolean>): MipSolution
}
