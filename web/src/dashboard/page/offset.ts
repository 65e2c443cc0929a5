/** Loads the stream offset of a match into the store (404: not calibrated yet). */
import { MatchOffsetAnswer } from '../../../../src/contracts/playback.js'
import { ApiError, getJson } from '../../api/http.js'
import type { DashboardStoreImpl } from '../state/store-impl.js'

export async function loadOffset(store: DashboardStoreImpl, market: string): Promise<void> {
  try {
    const answer = await getJson(
      `/api/matches/${encodeURIComponent(market)}/offset`,
      MatchOffsetAnswer,
    )
    store.setOffset(answer.offset_ms, answer.video_url)
  } catch (e) {
    // 404: never calibrated; 400/503: no stored offsets for this market or daemon.
    if (e instanceof ApiError && (e.status === 404 || e.status === 400 || e.status === 503)) return
    store.update({ problem: `Stream offset: ${e instanceof ApiError ? e.describe() : String(e)}` })
  }
}
