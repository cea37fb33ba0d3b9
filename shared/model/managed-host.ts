import { z } from 'zod'
import { MessageRefSchema } from './message'

/** The SSH connection's state machine, as the Hosts view and the CLI show it. */
export const ConnectionStateSchema = z.enum(['connecting', 'online', 'auth-failed', 'host-key-rejected', 'unreachable', 'backing-off', 'closed'])

/** A host key nobody trusted yet: the admin compares the fingerprint and accepts or refuses. */
export const HostKeyPromptSchema = z.object({
  promptId: z.string(),
  hostId: z.string(),
  host: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  /** OpenSSH SHA256 fingerprint, as `ssh-keygen -lf` prints it. */
  fingerprint: z.string(),
  /** Keys of other types already trusted for this host: a warning sign (man-in-the-middle). */
  otherKeysKnown: z.array(z.string()).optional(),
})

/** A hypervisor host the admin added, with its live connection state. */
export const ManagedHostSchema = z.object({
  id: z.string(),
  target: z.string(),
  displayName: z.string(),
  tags: z.array(z.string()),
  addedAt: z.number(),
  lastSeenAt: z.number().nullable(),
  state: ConnectionStateSchema,
  /** The last error, worded to say what to do (English; errorRef says it in the admin's language). */
  error: z.string().optional(),
  errorRef: MessageRefSchema.optional(),
  /** What ssh, the system or the host's own tools said, shown verbatim and labelled as theirs. */
  errorDetail: z.string().optional(),
  pendingHostKey: HostKeyPromptSchema.optional(),
  /** When the last successful poll happened, epoch ms. */
  lastPollAt: z.number().optional(),
})

export type ConnectionStateName = z.infer<typeof ConnectionStateSchema>
export type HostKeyPrompt = z.infer<typeof HostKeyPromptSchema>
export type ManagedHost = z.infer<typeof ManagedHostSchema>
