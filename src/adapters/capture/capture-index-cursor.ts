/**
 * The records of a capture (one file or several) in replay order, readable from a saved
 * position: the playback side of `readCaptures`. Files are merged by receive time exactly as
 * `readCaptures` merges them (each file keeps its own order; equal times go to the file listed
 * first; a file joins the merge at the time of its first record).
 *
 * A position holds one number per file: the decompressed offset of the line the file is to be
 * read from next, {@link POSITION_PENDING} for a file the merge has not reached, or
 * {@link POSITION_DONE} for a file read to its end.
 */
import type {
  PlaybackCursor,
  PlaybackPosition,
  RecordVisitor,
} from '../../engine/playback/playback-ports.js'
import type { CaptureLane } from './capture-index-lane.js'
import { ENTRY_BYTES, ENTRY_TEXT } from './capture-index-lane.js'

export const POSITION_PENDING = -1
export const POSITION_DONE = -2

/** A file of the capture as the merge sees it. */
export type MergeFile = {
  readonly path: string
  /** Receive time of its first record; Infinity when it has none. */
  readonly firstT: number
}

/** Opens file `index` of the capture at a line offset (0: from the start, header included). */
export type LaneOpener = (index: number, offset: number) => Promise<CaptureLane>

const STATE_PENDING = 0
const STATE_ACTIVE = 1
const STATE_DONE = 2

function isBefore(t: number, order: number, otherT: number, otherOrder: number): boolean {
  return t < otherT || (t === otherT && order < otherOrder)
}

export class MergedCaptureCursor implements PlaybackCursor {
  private readonly _lanes: (CaptureLane | null)[]
  private readonly _states: number[]
  private readonly _warnings: string[] = []

  private constructor(
    private readonly _files: readonly MergeFile[],
    private readonly _open: LaneOpener,
  ) {
    this._lanes = _files.map(() => null)
    this._states = _files.map(() => STATE_PENDING)
  }

  /**
   * Opens the capture at `position` (null: the start). `open` creates each file's lane; its
   * warnings should go to {@link MergedCaptureCursor.warn}.
   */
  static async open(
    files: readonly MergeFile[],
    position: PlaybackPosition | null,
    open: (cursor: MergedCaptureCursor) => LaneOpener,
  ): Promise<MergedCaptureCursor> {
    if (position !== null && position.length !== files.length) {
      throw new Error(`position names ${position.length} files, the capture has ${files.length}`)
    }
    const cursor: MergedCaptureCursor = new MergedCaptureCursor(
      files,
      (i: number, offset: number): Promise<CaptureLane> => open(cursor)(i, offset),
    )
    try {
      for (let i = 0; i < files.length; i++) {
        const at = position === null ? POSITION_PENDING : position[i]!
        if (at === POSITION_DONE || files[i]!.firstT === Number.POSITIVE_INFINITY) {
          cursor._states[i] = STATE_DONE
        } else if (at >= 0) {
          cursor._lanes[i] = await cursor._open(i, at)
          cursor._states[i] = STATE_ACTIVE
        } else if (at !== POSITION_PENDING) {
          throw new Error(`position entry ${at} for file ${i} is not an offset`)
        }
      }
    } catch (e) {
      await cursor.close()
      throw e
    }
    return cursor
  }

  /** Records a warning for {@link takeWarnings}. */
  warn(message: string): void {
    this._warnings.push(message)
  }

  takeWarnings(): readonly string[] {
    return this._warnings.splice(0, this._warnings.length)
  }

  position(): PlaybackPosition {
    const out: number[] = []
    for (let i = 0; i < this._files.length; i++) {
      const state = this._states[i]
      if (state === STATE_PENDING) out.push(POSITION_PENDING)
      else if (state === STATE_DONE) out.push(POSITION_DONE)
      else out.push(this._lanes[i]!.headOffset())
    }
    return out
  }

  async read(visitor: RecordVisitor): Promise<boolean> {
    const files = this._files
    const lanes = this._lanes
    const states = this._states
    for (;;) {
      // Every active file gets a record at its head, or is done.
      for (let i = 0; i < files.length; i++) {
        if (states[i] !== STATE_ACTIVE) continue
        const lane = lanes[i]!
        if (lane.pos < lane.count) continue
        if (!(await lane.refill())) {
          states[i] = STATE_DONE
          lanes[i] = null
          await lane.close()
        }
      }
      // The earliest head, the runner-up (the limit the best may deliver up to), and whether
      // the earliest is a file still to be opened.
      let best = -1
      let bestT = 0
      let limitT = Number.POSITIVE_INFINITY
      let limitOrder = Number.POSITIVE_INFINITY
      for (let i = 0; i < files.length; i++) {
        const state = states[i]
        if (state === STATE_DONE) continue
        const t = state === STATE_PENDING ? files[i]!.firstT : lanes[i]!.times[lanes[i]!.pos]!
        if (best < 0 || isBefore(t, i, bestT, best)) {
          if (best >= 0) {
            limitT = bestT
            limitOrder = best
          }
          best = i
          bestT = t
        } else if (isBefore(t, i, limitT, limitOrder)) {
          limitT = t
          limitOrder = i
        }
      }
      if (best < 0) return false
      if (states[best] === STATE_PENDING) {
        lanes[best] = await this._open(best, 0)
        states[best] = STATE_ACTIVE
        continue
      }
      const lane = lanes[best]!
      const times = lane.times
      const count = lane.count
      while (lane.pos < count) {
        const pos = lane.pos
        if (!isBefore(times[pos]!, best, limitT, limitOrder)) break
        if (!deliver(lane, pos, visitor)) return true
        lane.pos = pos + 1
      }
    }
  }

  async close(): Promise<void> {
    for (let i = 0; i < this._lanes.length; i++) {
      const lane = this._lanes[i]
      this._lanes[i] = null
      if (lane !== null && lane !== undefined) await lane.close()
    }
  }
}

function deliver(lane: CaptureLane, pos: number, visitor: RecordVisitor): boolean {
  const kind = lane.kinds[pos]
  if (kind === ENTRY_BYTES) {
    return visitor.frameBytes(
      lane.buffers[pos]!,
      lane.starts[pos]!,
      lane.ends[pos]!,
      lane.times[pos]!,
      lane.conns[pos]!,
    )
  }
  if (kind === ENTRY_TEXT) {
    return visitor.frameText(lane.raws[pos]!, lane.values[pos], lane.times[pos]!, lane.conns[pos]!)
  }
  return visitor.marker(lane.markers[pos]!)
}
