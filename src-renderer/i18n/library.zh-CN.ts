// naive-ui's own words and date formats in Chinese: loaded with the Chinese catalogue (index.ts).
export { dateZhCN, zhCN } from 'naive-ui'
