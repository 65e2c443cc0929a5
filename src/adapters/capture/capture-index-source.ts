/**
 * A loaded playback index as the {@link PlaybackSource} a `PlaybackSession` reads: its
 * checkpoints, trade log and resume points, and cursors over the capture's files.
 */
import type {
  Checkpoint,
  PlaybackCursor,
  PlaybackPosition,
  PlaybackSource,
} from '../../engine/playback/playback-ports.js'
import { TradeLog } from '../../engine/playback/trade-log.js'
import type { CaptureLocation } from './capture-index-check.js'
import { MergedCaptureCursor, type MergeFile } from './capture-index-cursor.js'
import { CaptureIndexError } from './capture-index-errors.js'
import { unpack, unpackF64, type IndexContent } from './capture-index-format.js'
import type { ResumePoint } from './capture-index-gzip.js'
import { CaptureLane } from './capture-index-lane.js'

/** A loaded playback index: the capture's checkpoints, trades and resume points. */
export class CaptureIndex implements PlaybackSource {
  readonly checkpointClocks: Float64Array
  readonly strings: readonly string[]
  readonly trades: TradeLog
  private readonly _merge: MergeFile[]
  /** Per file, its resume points as indices into `content.resume`, by decompressed offset. */
  private readonly _points: number[][]

  constructor(
    readonly location: CaptureLocation,
    private readonly _content: IndexContent,
    /** Size of the index file in bytes. */
    readonly sizeBytes: number,
  ) {
    const header = _content.header
    const count = _content.checkpoints.length / 3
    this.checkpointClocks = new Float64Array(count)
    for (let i = 0; i < count; i++) this.checkpointClocks[i] = _content.checkpoints[i * 3]!
    this.strings = header.strings
    this.trades = TradeLog.fromPacked(_content.trades, header.strings)
    this._merge = location.files.map((path, i) => ({
      path,
      firstT: header.files[i]!.firstT ?? Number.POSITIVE_INFINITY,
    }))
    this._points = location.files.map(() => [])
    const resume = _content.resume
    for (let r = 0; r < resume.length / 5; r++) this._points[resume[r * 5]!]!.push(r)
  }

  get header(): IndexContent['header'] {
    return this._content.header
  }

  loadCheckpoint(i: number): Promise<Checkpoint> {
    const cps = this._content.checkpoints
    if (!(i >= 0 && i < this.checkpointClocks.length)) {
      return Promise.reject(new RangeError(`no checkpoint ${i}`))
    }
    const files = this.location.files.length
    try {
      const state = unpackF64(
        this._content.states,
        cps[i * 3 + 1]!,
        cps[i * 3 + 2]!,
        `checkpoint ${i}`,
      )
      const position = Array.from(this._content.positions.subarray(i * files, (i + 1) * files))
      return Promise.resolve({ clock: cps[i * 3]!, state, position })
    } catch (e) {
      return Promise.reject(this._damaged(e))
    }
  }

  async openCursor(position: PlaybackPosition): Promise<PlaybackCursor> {
    return MergedCaptureCursor.open(
      this._merge,
      position,
      (cursor) => (i, offset) =>
        CaptureLane.open(
          this.location.files[i]!,
          { offset, point: this._pointFor(i, offset) },
          (message) => cursor.warn(message),
        ),
    )
  }

  /** The last resume point of file `i` at or before decompressed `offset`; null for plain files. */
  private _pointFor(i: number, offset: number): ResumePoint | null {
    const points = this._points[i]!
    const resume = this._content.resume
    let best = -1
    for (const r of points) {
      if (resume[r * 5 + 2]! <= offset) best = r
      else break
    }
    if (best < 0) return null
    return {
      compressed: resume[best * 5 + 1]!,
      decompressed: resume[best * 5 + 2]!,
      window: unpack(
        this._content.windows,
        resume[best * 5 + 3]!,
        resume[best * 5 + 4]!,
        `resume point ${best}`,
      ),
    }
  }

  private _damaged(e: unknown): Error {
    if (e instanceof CaptureIndexError) {
      return new CaptureIndexError(
        e.code,
        `${this.location.indexPath}: ${e.message}; rebuild it with \`tiltmeter capture index --force ${this.location.path}\``,
        { cause: e },
      )
    }
    return e as Error
  }
}
