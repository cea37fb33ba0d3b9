/**
 * Why a host's output did not parse, one text per failure of the parsers in src-main/hosts
 * (libvirt's XML and virsh output, /proc files, pvesh JSON, perf kvm stat). The English is the
 * parser's `message` as logs and the CLI print it; what the host printed, command names, file
 * paths, field names and formats a line should have are values, shown as they are.
 */
export const hostOutputEn = {
  expectedGot: 'expected "{format}", got {output}',
  unexpectedLine: 'unexpected line {output}',
  notCounter: 'not a counter: {value}',
  noLine: 'no "{text}" line',
  rootIs: 'root element is <{name}>, expected <{expected}>',
  notJson: 'not JSON: {error}',
  jsonArray: 'expected a JSON array',
  jsonObject: 'expected a JSON object',
  hostModel: 'host facts do not fit the Host model: {issues}',
  xml: {
    badReferenceInText: 'bad character reference in text',
    textOutsideRoot: 'text outside the root element',
    unterminatedComment: 'unterminated comment',
    unterminatedCdata: 'unterminated CDATA',
    cdataOutsideRoot: 'CDATA outside the root element',
    unterminatedInstruction: 'unterminated processing instruction',
    declaration: 'DOCTYPE and declarations are not accepted',
    badClosingTag: 'malformed closing tag',
    closingMismatch: 'closing tag </{closing}> does not match <{open}>',
    closingUnopened: 'closing tag </{closing}> does not match <(none)>',
    badOpeningTag: 'malformed opening tag',
    badReferenceInAttribute: 'bad character reference in attribute',
    duplicateAttribute: 'duplicate attribute',
    badTag: 'malformed tag <{name}>',
    secondRoot: 'more than one root element',
    endsInside: 'document ends inside <{name}>',
    empty: 'no XML element found (empty output?)',
  },
  domainXml: {
    noName: 'no <name>',
    noUuid: 'domain {name} has no <uuid>',
    noVcpu: 'no usable <vcpu> count',
    badCurrent: 'bad current={value}',
    noMemory: 'no usable <memory>',
    badVcpupin: 'bad vcpupin vcpu={vcpu} cpuset={cpuset}',
  },
  capabilities: {
    topology: '<topology> without sockets/cores/threads',
    cellId: '<cell> without id',
    cpuId: '<cpu> without id',
    siblings: 'bad siblings list {value}',
  },
  domstats: {
    unclosedHeader: 'domain header without a closing quote: {output}',
    twice: 'domain {name} printed twice',
    expectedEither: 'expected "{format}" or "{other}", got {output}',
    fieldBeforeHeader: 'a field before any "{header}" header',
  },
  pool: {
    incomplete: 'pool without name, uuid or type',
    notSize: 'pool {name}: capacity, allocation or available is not a size',
  },
  dominfo: {
    notDominfo: 'no UUID or State line: not virsh dominfo output',
    cpus: '{field} is not a number: {value}',
    memory: '{max} or {used} is not "N KiB"',
  },
  procfs: {
    cpuColumns: '{key} has {columns} columns, expected at least 4',
    diskColumns: '{columns} columns, expected 7 or at least 14',
    netCounters: 'expected 16 counters',
  },
  mounts: {
    none: 'no mount found in mountinfo',
  },
  qemuThreads: {
    processUnder: 'process line of {tid} under guest process {pid}',
  },
  proxmox: {
    tooDeep: 'not pvesh output: JSON nested deeper than {max} levels',
    notAsExpected: '{issues}',
    coresSockets: 'cores and sockets must be at least 1',
    noCpuLines: 'no CPU lines',
  },
  perf: {
    secondTable: 'a second VM-EXIT table: give one report at a time',
    unexpectedLine: 'unexpected line in the VM-EXIT table: {output}',
    noTable: 'no VM-EXIT table: perf printed no report (see its messages)',
    rowsDisagree: "the rows add up to {counted} samples, perf's total says {total}",
    noResult: 'the host printed no result: {output}',
    noResultEmpty: 'the host printed no result: (nothing)',
    missing: 'perf is not installed on the host (Debian/Ubuntu: linux-perf or linux-tools; RHEL: perf)',
    needsRoot: 'perf kvm stat needs root: log in as root, or allow the SSH user to run perf with sudo without a password',
    noProcess: 'the VM’s QEMU process is gone (stopped or restarted since the last poll): try again after the next poll',
    recordFailed: 'perf kvm stat record failed',
    recordSaid: '{output}',
    reportFailed: '{problem}: {output}',
  },
} as const
