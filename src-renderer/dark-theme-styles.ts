// Imported only dynamically (dark-theme.ts), so naive-ui's dark styles get a chunk of their own.
export { darkTheme } from 'naive-ui'
