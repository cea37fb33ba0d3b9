import type { Plan, PlanStep } from '../../shared/model'
import { escapeUnsafe } from '../../shared/text/control'
import { shellText } from '../export/shell-text'
import { yamlText } from '../export/yaml-text'
import { peerToPeerArgv, TUNNEL_SOCKET } from '../hosts/libvirt/commands'
import { commandLine, shellQuote } from '../ssh/quote'
import { parseTarget } from '../ssh/target'
import { LIBVIRT_SOCKET, TUNNEL_DIR_TEMPLATE } from './tunnel'

/** How the admin's workstation reaches each host (the target typed when the host was added). */
export type TargetOf = (hostId: string) => string

/** ssh(1)'s destination and port for a stored target (`qemu+ssh://u@h:2222/system` -> `u@h`, 2222). */
function destination(target: string): { host: string; user?: string; port?: number } {
  const t = parseTarget(target)
  return { host: t.host, ...(t.user ? { user: t.user } : {}), ...(t.port ? { port: t.port } : {}) }
}

function sshArgs(target: string): string[] {
  const d = destination(target)
  return [...(d.port ? ['-p', String(d.port)] : []), shellQuote(d.user ? `${d.user}@${d.host}` : d.host)]
}

function header(plan: Plan, comment: (text: string) => string): string {
  const lines = [
    `VirtPilot plan ${plan.id}`,
    `approved by ${plan.approvedBy} on ${new Date(plan.createdAt).toISOString()}`,
    `${plan.steps.length} step(s), in order; review before running.`,
  ]
  return lines.map(comment).join('\n')
}

function ssh(target: string, argv: readonly string[], extra: string[] = []): string {
  // The remote command line is quoted for the host's shell, then once more for this one.
  return ['ssh', '-o', 'BatchMode=yes', ...extra, ...sshArgs(target), '--', shellQuote(commandLine(argv))].join(' ')
}

/** A mktemp directory on the source, checked to be exactly what mktemp makes before it is used in a command. */
const REMOTE_DIR_CHECK = [
  'case $rdir in',
  '  /tmp/virtpilot-migrate.*[!A-Za-z0-9]*) echo "unexpected directory from mktemp on the source: $rdir" >&2; exit 1 ;;',
  '  /tmp/virtpilot-migrate.??????????) ;;',
  '  *) echo "unexpected directory from mktemp on the source: $rdir" >&2; exit 1 ;;',
  'esac',
].join('\n')

function shellStep(step: PlanStep, index: number, targetOf: TargetOf): string {
  // Text from the plan appears only as quoted words; comments hold only this file's own words.
  const lines = [`# step ${index + 1}`, `echo ${shellText(`== ${step.id}: ${step.title}`)}`]
  if (step.action.kind === 'migrate') {
    const source = targetOf(step.action.from)
    const dest = targetOf(step.action.to)
    lines.push(
      '# The destination libvirt is reached through this workstation, as VirtPilot does: no trust between the hosts,',
      '# and on the source only a socket in a directory that only your SSH user there can enter.',
      'dir=$(mktemp -d)',
      `ssh -o BatchMode=yes -o ExitOnForwardFailure=yes -f -N -M -S "$dir/ctl" -L "$dir/libvirt.sock:${LIBVIRT_SOCKET}" ${sshArgs(dest).join(' ')}`,
      `rdir=$(ssh -o BatchMode=yes ${sshArgs(source).join(' ')} -- ${shellQuote(commandLine(['mktemp', '-d', TUNNEL_DIR_TEMPLATE]))})`,
      REMOTE_DIR_CHECK,
    )
    for (const cmd of step.commands) {
      // The socket's path is known only when this runs: spliced into the quoted command as "$rdir".
      const line = ssh(targetOf(cmd.host), cmd.argv, ['-o', 'ExitOnForwardFailure=yes', '-R', '"$rdir/libvirt.sock:$dir/libvirt.sock"'])
      lines.push(line.replaceAll(TUNNEL_SOCKET, `'"$rdir"'/libvirt.sock`))
    }
    lines.push(
      `ssh -o BatchMode=yes ${sshArgs(source).join(' ')} -- "rm -rf -- $rdir"`,
      `ssh -S "$dir/ctl" -O exit ${sshArgs(dest).join(' ')} 2>/dev/null || true`,
      'rm -rf "$dir"',
    )
  } else {
    for (const cmd of step.commands) lines.push(ssh(targetOf(cmd.host), cmd.argv))
  }
  for (const cmd of step.verify) lines.push(`echo ${shellText(`   read back: ${cmd.purpose}`)}`, ssh(targetOf(cmd.host), cmd.argv))
  lines.push(`# rollback of step ${index + 1}${step.rollback.kind === 'migrate' ? ' (through a tunnel to the original host, set up as above)' : ''}:`)
  for (const cmd of step.rollbackCommands) lines.push(`#   ${escapeUnsafe(ssh(targetOf(cmd.host), cmd.argv))}`)
  return lines.join('\n')
}

/** A POSIX shell script that runs the plan's commands over ssh, stopping at the first failure. */
export function planToShell(plan: Plan, targetOf: TargetOf): string {
  return [
    '#!/bin/sh',
    header(plan, (line) => `# ${escapeUnsafe(line)}`),
    '# Each step runs on its host with ssh(1) and your ~/.ssh/config; then it is read back.',
    'set -eu',
    '',
    ...plan.steps.map((step, i) => `${shellStep(step, i, targetOf)}\n`),
    `echo ${shellText(`VirtPilot plan ${plan.id}: all ${plan.steps.length} step(s) ran.`)}`,
    '',
  ].join('\n')
}

const yamlList = (items: readonly string[]) => `[${items.map(yamlText).join(', ')}]`

/**
 * An Ansible playbook: one play per step on the step's host, `ansible.builtin.command` tasks with
 * the same argv (community.libvirt has no module for vCPUs, memory, shares or live migration).
 * Migrations use libvirt's peer-to-peer mode over SSH, which needs the source host's root to
 * reach the destination with a key (as Ansible-managed labs usually set up).
 */
export function planToAnsible(plan: Plan, targetOf: TargetOf): string {
  const hosts = [...new Set(plan.steps.flatMap((s) => s.commands.map((c) => c.host)))]
  const inventoryLine = (h: string) => {
    const d = destination(targetOf(h))
    return `#   ${escapeUnsafe(h)} ansible_host=${d.host}${d.user ? ` ansible_user=${d.user}` : ''}${d.port ? ` ansible_port=${d.port}` : ''}`
  }
  const out = ['---', header(plan, (line) => `# ${escapeUnsafe(line)}`), '# Inventory: name each host as VirtPilot does, e.g.', ...hosts.map(inventoryLine)]
  for (const step of plan.steps) {
    out.push(`- name: ${yamlText(`${step.id}: ${step.title}`)}`, `  hosts: ${yamlText(step.host)}`, '  gather_facts: false', '  any_errors_fatal: true', '  tasks:')
    for (const cmd of step.commands) {
      let argv = cmd.argv
      if (step.action.kind === 'migrate') {
        const d = destination(targetOf(step.action.to))
        argv = peerToPeerArgv(cmd.argv, `${d.user ? `${d.user}@` : ''}${d.host.includes(':') ? `[${d.host}]` : d.host}${d.port ? `:${d.port}` : ''}`)
      }
      out.push(`    - name: ${yamlText(cmd.purpose)}`, '      ansible.builtin.command:', `        argv: ${yamlList(argv)}`)
    }
    for (const cmd of step.verify) {
      out.push(
        `    - name: ${yamlText(cmd.purpose)}`,
        ...(cmd.host !== step.host ? [`      delegate_to: ${yamlText(cmd.host)}`] : []),
        '      ansible.builtin.command:',
        `        argv: ${yamlList(cmd.argv)}`,
        '      changed_when: false',
      )
    }
  }
  return `${out.join('\n')}\n`
}
