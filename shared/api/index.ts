export * from './channels'
export * from './result'
// Settings are a model (stored by main, edited by the renderer); the api carries them as they are.
export * from '../model/settings'
export * from './contract'
export * from './handlers'
export * from './dispatch'
export * from './client'
export * from './dashboard'
