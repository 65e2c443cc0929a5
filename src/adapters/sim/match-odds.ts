/**
 * Win probabilities of a Valorant best-of-three with independent rounds: a map goes to the first
 * team to 13 rounds (no win-by-two overtime), the match to the first to 2 maps.
 */

/** Rounds a team needs to win a map. */
export const ROUNDS_TO_WIN = 13

/** The logistic function: a round-win probability from a strength on the logit scale. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

/** P(A wins a map from a:b) when A wins each round with probability p. */
export function mapWinProbability(a: number, b: number, p: number): number {
  if (a >= ROUNDS_TO_WIN) return 1
  if (b >= ROUNDS_TO_WIN) return 0
  // Row by row from the end: table[i][j] for i, j < 13.
  const n = ROUNDS_TO_WIN
  const table: number[] = new Array<number>((n + 1) * (n + 1)).fill(0)
  const at = (i: number, j: number): number => table[i * (n + 1) + j]!
  for (let i = n; i >= 0; i--) {
    for (let j = n; j >= 0; j--) {
      let value: number
      if (i === n && j === n) value = 0
      else if (i === n) value = 1
      else if (j === n) value = 0
      else value = p * at(i + 1, j) + (1 - p) * at(i, j + 1)
      table[i * (n + 1) + j] = value
    }
  }
  return at(a, b)
}

/** P(A wins a best-of-three from maps a:b), the current map won with q, later maps with r. */
export function matchWinProbability(a: number, b: number, q: number, r: number): number {
  const future = (x: number, y: number): number => {
    if (x >= 2) return 1
    if (y >= 2) return 0
    return r * future(x + 1, y) + (1 - r) * future(x, y + 1)
  }
  if (a >= 2) return 1
  if (b >= 2) return 0
  return q * future(a + 1, b) + (1 - q) * future(a, b + 1)
}
