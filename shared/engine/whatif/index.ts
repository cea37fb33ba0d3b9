/** What-if planning: a scenario replayed step by step under policy sets, measured side by side. */
export { compareScenario, comparePrepared, replay, replayPrepared } from './replay'
export type { ReplayOptions, RequestOutcome, WhatifComparison, WhatifEvent, WhatifEventKind, WhatifMetrics, WhatifRun, WhatifSeries } from './types'
