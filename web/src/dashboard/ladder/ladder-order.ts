/** Which outcomes the dashboard's two ladders show. */

/** The charted token's ladder first, then the other outcome (the first other token). */
export function ladderIndexes(
  tokens: readonly { token_id: string }[],
  charted: string | null,
): number[] {
  const first = Math.max(
    0,
    tokens.findIndex((t) => t.token_id === charted),
  )
  const other = tokens.findIndex((_, i) => i !== first)
  return other < 0 ? [first] : [first, other]
}
