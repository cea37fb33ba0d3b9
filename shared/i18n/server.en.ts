/**
 * What main's services refuse and why, in English: serve's options, the recommendation inbox and what-if replays.
 * `{name}` is a value, `a | b` are plural forms chosen by `{count}`; write `@` and `|` as {'@'} {'|'}.
 */
export const serverEn = {
  /** Why `virtpilot serve` refuses its options: serving beyond loopback needs TLS and a public name. */
  serve: {
    plainHttp: 'Refusing to serve on {host} over plain HTTP: the access token and every SSH password typed into the app would travel unencrypted. Give --tls-cert FILE and --tls-key FILE (HTTPS and WSS), or keep the default 127.0.0.1 and use an SSH tunnel.',
    needsPublicName: "Serving on every address ({host}) needs --public-name NAME: the host name browsers will use, which the server checks in each request's Host header.",
  },
  inbox: {
    noHosts: 'No hosts to analyse: add a host or turn the demo cluster on',
    refused: 'Refused: {clauses}',
    requestRefused: 'request refused: {what} — {clauses}',
    moveTo: 'move {vm} to {to}',
    resize: 'resize {vm}',
    requested: 'request: {title}',
    noRecommendation: 'No recommendation {id}',
    cannotChange: '{title} is {status}; it can no longer be changed',
    vmChanged: '{title}: the VM changed since it was recommended; run the engine again',
    notMoves: '{title} is not a set of moves; approve it whole',
    noSuchMove: '{title} has {count} moves; there is no move {move}',
    onlyApproved: 'Only approved recommendations go into a plan: "{title}" is {status}',
    status: {
      open: 'open',
      approved: 'approved',
      rejected: 'rejected',
      snoozed: 'snoozed',
      planned: 'planned',
      applied: 'applied',
      failed: 'failed',
      superseded: 'superseded',
    },
  },
  /** The engine's run, when it gives nothing to recommend: the validator refused its proposal, its worker died. */
  engine: {
    validatorRefused: "The engine's proposal failed the plan validator, so nothing was recommended (please report this): {clauses}",
    violation: '{code}: {message}',
    andMore: 'and {count} more',
    workerCrashed: "The engine's worker crashed: {reason}",
    workerExited: "The engine's worker exited (code {code}) before it answered",
    failed: 'The engine failed: {reason}',
  },
  api: {
    unknownChannel: 'No api channel named {channel}',
    invalidRequest: 'Invalid request for {channel}',
  },
  perf: {
    noVm: 'No VM {vm} in the current inventory.',
    notRunning: '{vm} is {state}: perf kvm stat records a running VM.',
    notOverSsh: '{vm} is not on a host VirtPilot reads over SSH (the demo, or a Prometheus source): perf runs on the host itself.',
    noPid: "VirtPilot has not seen {vm}'s QEMU process yet (it reads it each poll from /run/libvirt/qemu): wait for the next poll.",
  },
  history: {
    noHost: 'No host {host} in the current inventory; open Overview and pick a host from the list.',
  },
  whatif: {
    replayFailed: 'The what-if replay failed: {reason}',
    replayTooSlow: 'The what-if replay took longer than {seconds} s (the limit): replay fewer policy sets, or a shorter or smaller scenario',
    replayTooBig: 'The what-if replay needed more than {mib} MiB of memory (the limit): replay a shorter or smaller scenario',
    workerCrashed: 'The what-if worker crashed: {reason}',
    workerExited: 'The what-if worker exited (code {code}) before it returned a result',
    importWorkerCrashed: 'The import worker crashed: {reason}',
    importWorkerExited: 'The import worker exited (code {code}) before it returned a result',
  },
} as const
