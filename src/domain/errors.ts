/**
 * Errors raised by pure domain code. Each class carries a stable `code` so logs, the UI and
 * tests can agree on what happened without matching message text.
 */

const EXCERPT_CHARS = 160

/** Shortens untrusted input for an error message: at most 160 characters, one line. */
export function excerptOf(text: string, max = EXCERPT_CHARS): string {
  const oneLine = text.replace(/\s+/g, ' ')
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max)}…`
}

/** Input that does not have the expected shape: a venue frame, a price string, a file line. */
export class ParseError extends Error {
  readonly code = 'PARSE_ERROR'
  /** A short, single-line excerpt of the offending input. */
  readonly excerpt: string

  constructor(message: string, input: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ParseError'
    this.excerpt = excerptOf(input)
  }
}

/** A broken internal assumption. It halts the affected market and requests a resync. */
export class InvariantError extends Error {
  readonly code = 'INVARIANT_BROKEN'

  constructor(message: string) {
    super(message)
    this.name = 'InvariantError'
  }
}

/** Throws an {@link InvariantError} when `condition` is false. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message)
}
