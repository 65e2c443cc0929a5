import { describe, expect, it } from 'vitest'
import { ladderIndexes } from './ladder-order.js'

const tokens = [{ token_id: 'a' }, { token_id: 'b' }, { token_id: 'c' }]

describe('ladderIndexes', () => {
  it('shows the charted outcome first, then another', () => {
    expect(ladderIndexes(tokens, 'a')).toEqual([0, 1])
    expect(ladderIndexes(tokens, 'b')).toEqual([1, 0])
    expect(ladderIndexes(tokens, 'c')).toEqual([2, 0])
  })

  it('falls back to the first outcome, and to one ladder for one token', () => {
    expect(ladderIndexes(tokens, null)).toEqual([0, 1])
    expect(ladderIndexes(tokens, 'zz')).toEqual([0, 1])
    expect(ladderIndexes([{ token_id: 'a' }], 'a')).toEqual([0])
    expect(ladderIndexes([], null)).toEqual([0])
  })
})
