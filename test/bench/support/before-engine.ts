import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { RecommendInput, RecommendOutput } from '../../../shared/engine/recommend'

/** The engine before issue 18 (forecasts, relative stopping, per-host ratios): main at this commit. */
export const BEFORE_COMMIT = '145d928b7e4215e8ce0bb8e09c13eea7ab114cef'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * A commit's shared/ tree (by default BEFORE_COMMIT's), unpacked from git into .bench-before/ (ignored) and imported, so the
 * bench runs the old and the new engine in one process on the same inputs. Null, with the reason,
 * where git or the commit is not there (a checkout without history).
 */
export async function beforeEngine(commit = BEFORE_COMMIT): Promise<{ recommend: (input: RecommendInput) => RecommendOutput } | string> {
  const dir = `${root}.bench-before/${commit.slice(0, 12)}`
  const entry = `${dir}/shared/engine/recommend.ts`
  try {
    if (!existsSync(entry)) {
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      const tar = execFileSync('git', ['-C', root, 'archive', commit, 'shared'], { maxBuffer: 64 * 1024 * 1024 })
      execFileSync('tar', ['-x', '-C', dir], { input: tar })
    }
  } catch (error) {
    return `the engine of ${commit.slice(0, 12)} is not available here (${(error as Error).message.split('\n')[0]})`
  }
  return (await import(pathToFileURL(entry).href)) as { recommend: (input: RecommendInput) => RecommendOutput }
}
