import type { Plan, PlanStep } from '../../shared/model'
import { peerToPeerArgv, withTunnelPort } from '../hosts/libvirt/commands'
import { commandLine, shellQuote } from '../ssh/quote'
import { LIBVIRT_SOCKET } from './tunnel'

/** How the admin's workstation reaches each host (the target typed when the host was added). */
export type TargetOf = (hostId: string) => string

const BASE_TUNNEL_PORT = 16600

function header(plan: Plan, comment: string): string {
  const lines = [
    `VirtPilot plan ${plan.id}`,
    `approved by ${plan.approvedBy} on ${new Date(plan.createdAt).toISOString()}`,
    `${plan.steps.length} step(s), in order; review before running.`,
  ]
  return lines.map((l) => `${comment} ${l}`).join('\n')
}

function ssh(target: string, argv: readonly string[], extra: string[] = []): string {
  // The remote command line is quoted for the host's shell, then once more for this one.
  return ['ssh', '-o', 'BatchMode=yes', ...extra, shellQuote(target), '--', shellQuote(commandLine(argv))].join(' ')
}

function shellStep(step: PlanStep, index: number, targetOf: TargetOf): string {
  const lines = [`# ${step.id}: ${step.title}`, `echo ${shellQuote(`== ${step.id}: ${step.title}`)}`]
  if (step.action.kind === 'migrate') {
    const port = String(BASE_TUNNEL_PORT + index)
    const dest = targetOf(step.action.to)
    lines.push(
      '# The destination libvirt is reached through this workstation, as VirtPilot does: no trust between the hosts.',
      'dir=$(mktemp -d)',
      `ssh -o BatchMode=yes -o ExitOnForwardFailure=yes -f -N -M -S "$dir/ctl" -L "$dir/libvirt.sock:${LIBVIRT_SOCKET}" ${shellQuote(dest)}`,
    )
    for (const cmd of step.commands) {
      const argv = withTunnelPort(cmd.argv, port)
      lines.push(ssh(targetOf(cmd.host), argv, ['-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${port}:"$dir/libvirt.sock"`]))
    }
    lines.push(`ssh -S "$dir/ctl" -O exit ${shellQuote(dest)} 2>/dev/null || true`, 'rm -rf "$dir"')
  } else {
    for (const cmd of step.commands) lines.push(ssh(targetOf(cmd.host), cmd.argv))
  }
  for (const cmd of step.verify) lines.push(`${ssh(targetOf(cmd.host), cmd.argv)}   # ${cmd.purpose}`)
  lines.push(`# rollback of ${step.id}${step.rollback.kind === 'migrate' ? ' (through a tunnel to the original host, set up as above)' : ''}:`)
  const port = String(BASE_TUNNEL_PORT + index)
  for (const cmd of step.rollbackCommands) lines.push(`#   ${ssh(targetOf(cmd.host), withTunnelPort(cmd.argv, port))}`)
  return lines.join('\n')
}

/** A POSIX shell script that runs the plan's commands over ssh, stopping at the first failure. */
export function planToShell(plan: Plan, targetOf: TargetOf): string {
  return [
    '#!/bin/sh',
    header(plan, '#'),
    '# Each step runs on its host with ssh(1) and your ~/.ssh/config; then it is read back.',
    'set -eu',
    '',
    ...plan.steps.map((step, i) => `${shellStep(step, i, targetOf)}\n`),
    `echo ${shellQuote(`VirtPilot plan ${plan.id}: all ${plan.steps.length} step(s) ran.`)}`,
    '',
  ].join('\n')
}

const yaml = (text: string) => JSON.stringify(text)
const yamlList = (items: readonly string[]) => `[${items.map(yaml).join(', ')}]`

/**
 * An Ansible playbook: one play per step on the step's host, `ansible.builtin.command` tasks with
 * the same argv (community.libvirt has no module for vCPUs, memory, shares or live migration).
 * Migrations use libvirt's peer-to-peer mode over SSH, which needs the source host's root to
 * reach the destination with a key (as Ansible-managed labs usually set up).
 */
export function planToAnsible(plan: Plan, targetOf: TargetOf): string {
  const hosts = [...new Set(plan.steps.flatMap((s) => s.commands.map((c) => c.host)))]
  const out = [
    '---',
    header(plan, '#'),
    '# Inventory: name each host as VirtPilot does, e.g.',
    ...hosts.map((h) => `#   ${h} ansible_host=${targetOf(h)}`),
  ]
  for (const step of plan.steps) {
    out.push(`- name: ${yaml(`${step.id}: ${step.title}`)}`, `  hosts: ${yaml(step.host)}`, '  gather_facts: false', '  any_errors_fatal: true', '  tasks:')
    for (const cmd of step.commands) {
      const argv = step.action.kind === 'migrate' ? peerToPeerArgv(cmd.argv, targetOf(step.action.to)) : cmd.argv
      out.push(`    - name: ${yaml(cmd.purpose)}`, '      ansible.builtin.command:', `        argv: ${yamlList(argv)}`)
    }
    for (const cmd of step.verify) {
      out.push(
        `    - name: ${yaml(cmd.purpose)}`,
        ...(cmd.host !== step.host ? [`      delegate_to: ${yaml(cmd.host)}`] : []),
        '      ansible.builtin.command:',
        `        argv: ${yamlList(cmd.argv)}`,
        '      changed_when: false',
      )
    }
  }
  return `${out.join('\n')}\n`
}
