export * from './greedy'
export * from './exact'
