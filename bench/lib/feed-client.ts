/**
 * The client side of the feed benchmark: a {@link MarketFeed} writing every frame to a real
 * {@link CaptureWriter}, with a counting capture sink that notes when an expected number of
 * socket frames has arrived, and the book check against the simulator's REST `/book`.
 */
import { performance } from 'node:perf_hooks'
import type { MarkerKind } from '../../src/adapters/capture/capture-format.js'
import type { CaptureWriter } from '../../src/adapters/capture/capture-writer.js'
import { ClobRestClient } from '../../src/adapters/polymarket/rest/clob-rest.js'
import type { CaptureSink, MarketFeed } from '../../src/adapters/polymarket/ws/market-feed.js'
import type { Level } from '../../src/domain/book/book-events.js'

/**
 * Passes everything to the capture writer (unless {@link CountingSink.capture} is off) and
 * counts socket frames as they arrive.
 */
export class CountingSink implements CaptureSink {
  frames = 0
  /** Characters of frame text (bytes: the venue's JSON is ASCII). */
  chars = 0
  /** False drops frames and markers instead of writing them (the capture-off comparison). */
  capture = true
  private readonly _writer: CaptureWriter
  private _target = Number.POSITIVE_INFINITY
  private _onTarget: ((at: { ms: number; cpu: NodeJS.CpuUsage }) => void) | null = null

  constructor(writer: CaptureWriter) {
    this._writer = writer
  }

  writeFrame(conn: string, raw: string, opts?: { readonly tLocal?: number }): void {
    if (this.capture) this._writer.writeFrame(conn, raw, opts)
    this.frames++
    this.chars += raw.length
    if (this.frames === this._target) {
      const at = { ms: performance.now(), cpu: process.cpuUsage() }
      const done = this._onTarget
      this._onTarget = null
      this._target = Number.POSITIVE_INFINITY
      done?.(at)
    }
  }

  writeMarker(
    kind: MarkerKind,
    conn: string,
    detail?: Readonly<Record<string, unknown>>,
    opts?: { readonly tLocal?: number },
  ): void {
    if (this.capture) this._writer.writeMarker(kind, conn, detail, opts)
  }

  /** Resolves with the time and CPU usage at the moment frame number `count` arrives. */
  whenFrames(count: number): Promise<{ ms: number; cpu: NodeJS.CpuUsage }> {
    return new Promise((resolve) => {
      this._target = count
      this._onTarget = resolve
    })
  }
}

/** Resolves once every asset of the feed is live; rejects after `timeoutMs`. */
export async function waitLive(feed: MarketFeed, timeoutMs: number): Promise<void> {
  const start = performance.now()
  while (feed.healthCounts().live < feed.assetIds.length) {
    if (performance.now() - start > timeoutMs) {
      const counts = feed.healthCounts()
      throw new Error(
        `the client's books did not all become live within ${timeoutMs} ms ` +
          `(${JSON.stringify(counts)}); is the simulator process running?`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function sameLevels(a: readonly Level[], b: readonly Level[]): boolean {
  if (a.length !== b.length) return false
  const byPrice = (x: Level, y: Level): number => x.price - y.price
  const left = [...a].sort(byPrice)
  const right = [...b].sort(byPrice)
  return left.every((level, i) => level.price === right[i]!.price && level.size === right[i]!.size)
}

/** Assets whose client book differs from the simulator's REST `/book` (empty when all agree). */
export async function booksThatDiffer(feed: MarketFeed, restUrl: string): Promise<string[]> {
  const rest = new ClobRestClient({ baseUrl: restUrl })
  const differ: string[] = []
  for (const assetId of feed.assetIds) {
    const truth = await rest.getBook(assetId)
    const book = feed.market.book(assetId)
    if (
      book === undefined ||
      !sameLevels(book.levels('bid'), truth.bids) ||
      !sameLevels(book.levels('ask'), truth.asks)
    ) {
      differ.push(assetId)
    }
  }
  return differ
}
