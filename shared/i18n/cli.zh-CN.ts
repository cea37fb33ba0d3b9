import type { cliEn } from './cli.en'
import type { Catalogue } from './types'

/** 命令行在 stderr 上说的话（进度、提示、拒绝），术语见 docs/glossary.md；--json 输出不随语言变化。 */
export const cliZhCN: Catalogue<typeof cliEn> = {
  seeHelp: '用法请运行 `virtpilot --help`。',
  unknownCommand: '未知的命令 {command}',
  publicWarning: '警告：正在 {host} 上通过 HTTPS 提供服务：任何能访问它并得知令牌的人都能控制 VirtPilot，包括在你的宿主机上执行计划。',
  leftOut: '{host} 未计入：{reason}',
  progress: {
    line: '[{state}] {bars}',
    step: '{step} {state}{percent}',
    percent: ' {percent}%',
  },
  hosts: {
    unknownKey: '{target}（{address}）提供的 {type} 主机密钥尚未被信任：',
    compareKey: '请在宿主机上用 `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` 核对。',
    trust: '信任这个主机密钥吗？',
    notRead: '{host} 已添加，但无法读取{reason}。请修复后运行 collect，或执行：virtpilot hosts remove {host}',
    reason: '：{reason}',
    withDetail: '{text}（{detail}）',
    removed: '已移除 {host}。',
    noHost: '{file} 中没有宿主机 {host}（参见：virtpilot hosts list）',
    keysRemoved: '已从 {file} 中删除 {name} 的 {count} 个主机密钥；下次连接时会询问新的主机密钥。',
    noKey: "{file} 中没有 {name} 的主机密钥。~/.ssh/known_hosts 中的主机密钥可用此命令删除：ssh-keygen -R '{name}'",
  },
  collect: {
    noFreshHost: '存储中没有带最新数据的宿主机',
  },
  recommend: {
    noHosts: '{file} 中没有宿主机。请用 `virtpilot hosts add TARGET --data {file}` 添加，或使用 --demo 或 --snapshot FILE.json。',
    noneRead: '{file} 中的宿主机都无法读取。',
    historyWritten: '已将 {count} 台虚拟机的历史数据写入 {file}。',
  },
  perf: {
    preview: '在 {host} 上，针对 {vm}（QEMU 进程 {pid}）：',
    recording: '正在记录 {seconds} 秒……',
  },
  recover: {
    noInterrupted: '{file} 中没有已中断的计划 {plan}',
    readBack: '{plan} {step}（{state}）：{verdict}：{observed}',
    couldNotRead: '{plan}：无法读取 {problem}',
  },
  rules: {
    noHosts: '{file} 中没有宿主机。请用 `virtpilot hosts add TARGET --data {file}` 添加。',
    stays: '{vm} 留在 {host} 上：{reason}',
  },
}
