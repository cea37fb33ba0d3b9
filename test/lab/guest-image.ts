import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LabPrerequisiteError } from './prerequisites'
import { cachePaths } from './paths'
import { run } from './run'

/** Loaded in this order by the guest's /init (dependencies first). */
const VIRTIO_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'virtio_balloon',
  'virtio_blk',
] as const

const BUSYBOX_APPLETS = ['sh', 'mount', 'insmod', 'cat', 'echo', 'sleep', 'cut', 'tr', 'grep', 'nproc', 'ls', 'ps']

/** PID 1 of the guest. */
const GUEST_INIT = fileURLToPath(new URL('./guest-init.sh', import.meta.url))

export interface GuestImage {
  kernel: string
  initrd: string
}

/** Bump when the way the image is built changes, so cached images are rebuilt. */
const IMAGE_FORMAT = 3

interface ImageInfo {
  format: number
  kernelPackage: string
  initSha256: string
}

/**
 * The guest kernel (Debian's, from the package's file, never installed) and a busybox initramfs,
 * built once into the cache folder and rebuilt when the kernel package or the guest /init changes.
 */
export async function ensureGuestImage(cache: string, log: (line: string) => void): Promise<GuestImage> {
  const paths = cachePaths(cache)
  const initSha256 = createHash('sha256').update(await readFile(GUEST_INIT)).digest('hex')
  const cached = await readFile(paths.imageInfo, 'utf8')
    .then((text) => JSON.parse(text) as ImageInfo)
    .catch(() => undefined)
  if (cached?.format === IMAGE_FORMAT && cached.initSha256 === initSha256 && (await isFile(paths.kernel)) && (await isFile(paths.initrd))) {
    return { kernel: paths.kernel, initrd: paths.initrd }
  }

  const kernelPackage = await kernelPackageName()
  log(`building the guest image in ${cache} from ${kernelPackage} (once; cached between runs)`)
  await mkdir(cache, { recursive: true })
  const work = join(cache, `build-${process.pid}`)
  await rm(work, { recursive: true, force: true })
  await mkdir(work, { recursive: true })
  try {
    const deb = await downloadKernelPackage(kernelPackage, work)
    const listing = (await run(['dpkg-deb', '--contents', deb], { timeoutMs: 60_000 })).stdout
    const members = listing
      .split('\n')
      .map((line) => line.split(/\s+/).at(5) ?? '')
      .filter((path) => /^\.\/boot\/vmlinuz-/.test(path) || isWantedModule(path))
    const extracted = join(work, 'deb')
    await mkdir(extracted)
    await run(['bash', '-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" "${@:3}"', 'extract', deb, extracted, ...members], {
      timeoutMs: 120_000,
    })
    const vmlinuz = members.find((path) => path.startsWith('./boot/vmlinuz-'))
    if (!vmlinuz) throw new Error(`${kernelPackage} holds no boot/vmlinuz-*`)
    const root = join(work, 'initramfs')
    await buildInitramfsTree(root, extracted, members)
    const initrd = join(work, 'initramfs.cpio.gz')
    // Uncompressed: gunzip in a TCG guest costs about a second of boot.
    await run(['bash', '-c', 'cd "$1" && find . | cpio -o -H newc --quiet > "$2"', 'pack', root, initrd])
    await writeFile(`${paths.kernel}.new`, await uncompressedKernel(join(extracted, vmlinuz)))
    await rename(`${paths.kernel}.new`, paths.kernel)
    await rename(initrd, paths.initrd)
    const info: ImageInfo = { format: IMAGE_FORMAT, kernelPackage, initSha256 }
    await writeFile(paths.imageInfo, JSON.stringify(info, null, 2))
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return { kernel: paths.kernel, initrd: paths.initrd }
}

/**
 * The ELF vmlinux inside a bzImage: QEMU boots it through its PVH entry, which skips the
 * decompressor (seconds under TCG). Falls back to the bzImage when it is not xz/zstd + ELF.
 */
async function uncompressedKernel(bzImage: string): Promise<Buffer> {
  const image = await readFile(bzImage)
  const formats = [
    { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), command: 'xz -dc --single-stream' },
    { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), command: 'zstd -dc' },
  ]
  for (const { magic, command } of formats) {
    const offset = image.indexOf(magic)
    if (offset < 0) continue
    const elf = await new Promise<Buffer | undefined>((resolve) => {
      const child = execFile('bash', ['-c', `tail -c +$1 "$2" | ${command} 2>/dev/null`, 'unpack', String(offset + 1), bzImage], {
        encoding: 'buffer',
        maxBuffer: 512 * 1024 * 1024,
      }, (_error, stdout) => resolve(stdout))
      child.stdin?.end()
    })
    if (elf && elf.length > 1024 * 1024 && elf.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return elf
  }
  return image
}

const isFile = (path: string) =>
  stat(path).then(
    (info) => info.isFile(),
    () => false,
  )

function isWantedModule(path: string): boolean {
  const file = path.split('/').at(-1) ?? ''
  return path.includes('/kernel/drivers/') && VIRTIO_MODULES.some((module) => file === `${module}.ko`)
}

/** `linux-image-amd64` is a metapackage: its dependency names the current kernel package. */
async function kernelPackageName(): Promise<string> {
  let depends: string
  try {
    depends = (await run(['apt-cache', 'depends', 'linux-image-amd64'], { timeoutMs: 30_000 })).stdout
  } catch (error) {
    throw new LabPrerequisiteError(
      `cannot find the Debian kernel package (${(error as Error).message}): run \`apt-get update\` first`,
    )
  }
  const name = /Depends:\s*(linux-image-\S+-amd64)/.exec(depends)?.[1]
  if (!name) throw new LabPrerequisiteError('apt-cache knows no linux-image-amd64: run `apt-get update` first')
  return name
}

async function downloadKernelPackage(name: string, folder: string): Promise<string> {
  try {
    await run(['apt-get', 'download', '-q', name], { cwd: folder, timeoutMs: 300_000 })
  } catch (error) {
    throw new LabPrerequisiteError(
      `cannot download ${name} (${(error as Error).message}): the lab needs the Debian archive once to fetch the guest kernel; run \`apt-get update\` and check the apt sources`,
    )
  }
  const deb = (await readdir(folder)).find((file) => file.endsWith('.deb'))
  if (!deb) throw new Error(`apt-get download ${name} left no .deb in ${folder}`)
  return join(folder, deb)
}

async function buildInitramfsTree(root: string, extracted: string, members: readonly string[]): Promise<void> {
  for (const dir of ['bin', 'proc', 'sys', 'dev', 'tmp', 'lib/modules']) await mkdir(join(root, dir), { recursive: true })
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'))
  await chmod(join(root, 'bin', 'busybox'), 0o755)
  for (const applet of BUSYBOX_APPLETS) await symlink('busybox', join(root, 'bin', applet))
  for (const module of VIRTIO_MODULES) {
    const member = members.find((path) => path.endsWith(`/${module}.ko`))
    if (!member) throw new Error(`the kernel package has no ${module}.ko (built in?): adjust VIRTIO_MODULES`)
    await copyFile(join(extracted, member), join(root, 'lib', 'modules', `${module}.ko`))
  }
  await writeFile(join(root, 'lib', 'modules', 'load-order'), `${VIRTIO_MODULES.join('\n')}\n`)
  await copyFile(GUEST_INIT, join(root, 'init'))
  await chmod(join(root, 'init'), 0o755)
}
