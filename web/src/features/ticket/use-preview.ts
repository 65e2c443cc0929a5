/** Asks the daemon what the ticket's order would do against the book now, as fields change. */
import { useEffect, useState } from 'react'
import { PreviewAnswer, type OrderBody } from '../../../../src/contracts/api.js'
import { ApiError, postJson } from '../../api/http.js'

const DEBOUNCE_MS = 250
const REFRESH_MS = 1500

export type PreviewState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready'; answer: PreviewAnswer }
  | { kind: 'failed'; error: ApiError }

export function usePreview(body: OrderBody | null): PreviewState {
  const [state, setState] = useState<PreviewState>({ kind: 'idle' })
  const key = body === null ? '' : JSON.stringify({ ...body, expires_at: undefined })
  useEffect(() => {
    if (body === null) {
      setState({ kind: 'idle' })
      return
    }
    let alive = true
    const run = (): void => {
      postJson('/api/orders/preview', body, PreviewAnswer).then(
        (answer) => alive && setState({ kind: 'ready', answer }),
        (e: unknown) =>
          alive &&
          setState({
            kind: 'failed',
            error: e instanceof ApiError ? e : new ApiError(0, String(e)),
          }),
      )
    }
    const first = setTimeout(run, DEBOUNCE_MS)
    const again = setInterval(run, REFRESH_MS)
    return () => {
      alive = false
      clearTimeout(first)
      clearInterval(again)
    }
    // The key stands for the body's content.
  }, [key])
  return state
}
