/**
 * The deltas/s measurement: every peer replays the whole NHL price_change leg stream into
 * fresh books, reading best bid and ask after each delta. Before timing, the peers are run in
 * lockstep and must agree on best bid and ask after every delta; after timing, each peer's
 * latest books must agree on the top levels of every asset.
 */
import { allPeers, verifyLockstep, verifyTopLevels } from './book-peers.js'
import { measureContenders, type ContenderResult } from './measure.js'
import type { LegStream } from './nhl-legs.js'

/** Levels per side compared across peers at the end. */
export const TOP_LEVELS_CHECKED = 10

export type PeerResult = ContenderResult & { readonly inputForm: string }

export type DeltasResult = {
  readonly legs: number
  readonly assets: number
  readonly peers: readonly PeerResult[]
}

/** Verifies, warms up and measures every peer. Throws when any check fails. */
export async function measureDeltas(
  stream: LegStream,
  warmup: number,
  samples: number,
): Promise<DeltasResult> {
  const peers = allPeers(stream)
  verifyLockstep(peers, stream)
  verifyTopLevels(peers, stream, TOP_LEVELS_CHECKED)
  const results = await measureContenders(
    peers.map((peer) => ({ name: peer.name, units: stream.legs, prepare: () => peer.prepare() })),
    warmup,
    samples,
  )
  // Each peer's latest books hold the state after a full timed replay.
  verifyTopLevels(peers, stream, TOP_LEVELS_CHECKED)
  return {
    legs: stream.legs,
    assets: stream.assets.length,
    peers: results.map((result, i) => ({ ...result, inputForm: peers[i]!.inputForm })),
  }
}
