/**
 * Reads one text frame a page sent on a socket: size limit, JSON, then the message schema.
 * A frame that fails is refused with a reason the socket's close frame carries (1008), naming
 * the first problem and where it is.
 */
import type { z } from 'zod'

/** The longest text frame a page may send. */
export const MAX_CLIENT_MESSAGE_CHARS = 4_096

export type ClientRead<T> = { ok: true; message: T } | { ok: false; reason: string }

/** `example` is shown when the frame is not JSON, as what to send instead. */
export function readClientMessage<S extends z.ZodType>(
  text: string,
  schema: S,
  example: string,
): ClientRead<z.infer<S>> {
  if (text.length > MAX_CLIENT_MESSAGE_CHARS) {
    return { ok: false, reason: `message longer than ${MAX_CLIENT_MESSAGE_CHARS} characters` }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, reason: `not JSON; send ${example}` }
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue === undefined || issue.path.length === 0 ? '' : issue.path.join('.')
    return {
      ok: false,
      reason: `invalid message${where === '' ? '' : ` at ${where}`}: ${issue?.message ?? ''}`,
    }
  }
  return { ok: true, message: parsed.data }
}
