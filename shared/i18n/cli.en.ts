/**
 * What the CLI says on stderr (progress, notes, refusals of its own), in English; --json output never
 * changes with the language. `{name}` is a value; write `@` and `|` as {'@'} {'|'}.
 */
export const cliEn = {
  seeHelp: 'Run `virtpilot --help` for usage.',
  unknownCommand: 'Unknown command {command}',
  publicWarning: 'Warning: serving on {host} over HTTPS: anyone who can reach it and learns the token controls VirtPilot, including applying plans on your hosts.',
  leftOut: '{host} left out: {reason}',
  progress: {
    line: '[{state}] {bars}',
    step: '{step} {state}{percent}',
    percent: ' {percent}%',
  },
  hosts: {
    unknownKey: '{target} ({address}) presents a {type} host key nobody trusted yet:',
    compareKey: 'Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host.',
    trust: 'Trust this key?',
    notRead: '{host} was added but could not be read{reason}. Fix that and run collect, or: virtpilot hosts remove {host}',
    reason: ': {reason}',
    withDetail: '{text} ({detail})',
    removed: 'Removed {host}.',
    noHost: '{file} has no host {host} (see: virtpilot hosts list)',
    keysRemoved: 'Removed {count} key of {name} from {file}; the next connection asks about the new key. | Removed {count} keys of {name} from {file}; the next connection asks about the new key.',
    noKey: "{file} has no key for {name}. A key in ~/.ssh/known_hosts is removed with: ssh-keygen -R '{name}'",
  },
  collect: {
    noFreshHost: 'the store gave no host with fresh figures',
  },
  recommend: {
    noHosts: '{file} has no hosts. Add one with `virtpilot hosts add TARGET --data {file}`, or use --demo or --snapshot FILE.json.',
    noneRead: 'None of the hosts of {file} could be read.',
    historyWritten: 'Wrote the history of {count} VM to {file}. | Wrote the history of {count} VMs to {file}.',
  },
  perf: {
    preview: 'On {host}, for {vm} (QEMU process {pid}):',
    recording: 'recording {seconds} s ...',
  },
  recover: {
    noInterrupted: '{file} has no interrupted plan {plan}',
    readBack: '{plan} {step} ({state}): {verdict}: {observed}',
    couldNotRead: '{plan}: could not read {problem}',
  },
  rules: {
    noHosts: '{file} has no hosts. Add one with `virtpilot hosts add TARGET --data {file}`.',
    stays: '{vm} stays on {host}: {reason}',
  },
} as const
