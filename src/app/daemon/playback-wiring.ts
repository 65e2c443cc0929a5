/**
 * Connects the dashboard's routes and playback socket (src/adapters/web/playback-*.ts) to the
 * daemon: the capture catalog over the capture directories, the signal engine the live feed
 * uses, the game events in the store, and the stream offsets in `match_settings`.
 */
import type { Logger } from '../../adapters/log.js'
import {
  createMatchSettingsRepo,
  type MatchOffset,
  type MatchSettingsRepo,
} from '../../adapters/storage/match-settings-repo.js'
import type { GameEventFilter, StoredGameEvent } from '../../adapters/storage/records.js'
import type { Store } from '../../adapters/storage/store.js'
import type { DashboardDeps, OpenedCapture } from '../../adapters/web/playback-types.js'
import type { MatchOffsetAnswer } from '../../contracts/playback.js'
import type { FrameParser } from '../../engine/market-data.js'
import { DEFAULT_SIGNAL_CONFIG, SignalEngine } from '../../engine/signals/index.js'
import { CaptureCatalog, type CaptureAnalysis } from './playback-catalog.js'
import { captureEvents } from './playback-events.js'
import { seriesOf, signalsOf } from './playback-series.js'
import type { SignalEngineFactory } from './ports.js'

export type DashboardWiringOptions = {
  /** The daemon's capture directory first, then any `--captures` directories. */
  readonly captureDirs: readonly string[]
  /** The store; offsets and token names need its Kysely connection (the real store has one). */
  readonly store: { listGameEvents?(filter: GameEventFilter): Promise<StoredGameEvent[]> }
  /** The live signal engine factory; default the signal engine with the default parameters. */
  readonly signalEngine?: SignalEngineFactory | undefined
  /** The daemon's `signals` configuration value. */
  readonly signalConfig?: unknown
  readonly log: Logger
  readonly now: () => number
  readonly parser?: FrameParser
}

export type DashboardWiring = DashboardDeps & { readonly catalog: CaptureCatalog }

/** The signal engine with the default parameters, for daemons built without one. */
const defaultSignalEngine: SignalEngineFactory = (_config, callbacks, options) =>
  new SignalEngine(DEFAULT_SIGNAL_CONFIG, callbacks, {
    complementOf: (assetId) => options.complementOf(assetId) ?? null,
  })

export function createDashboardWiring(options: DashboardWiringOptions): DashboardWiring {
  const log = options.log.child({ component: 'dashboard' })
  const repo: MatchSettingsRepo | null =
    'kysely' in options.store ? createMatchSettingsRepo(options.store as unknown as Store) : null
  const catalog = new CaptureCatalog({
    dirs: options.captureDirs,
    signalEngine: options.signalEngine ?? defaultSignalEngine,
    signalConfig: options.signalConfig,
    knownTokens: repo === null ? undefined : (ids) => repo.describeTokens(ids),
    ...(options.parser === undefined ? {} : { parser: options.parser }),
    log,
  })
  const listEvents =
    typeof options.store.listGameEvents === 'function'
      ? (filter: GameEventFilter) => options.store.listGameEvents!(filter)
      : null

  return {
    catalog,
    log,
    now: options.now,
    captures: {
      list: () => catalog.list(),
      open: async (name, onProgress) => opened(await catalog.analyze(name, onProgress)),
      events: async (name) => {
        const analysis = await catalog.analyze(name)
        const details = analysis.detail.token_details
        return captureEvents({
          entry: analysis.entry,
          markets: analysis.detail.markets_detail.map((m) => m.condition_id),
          orphanTokens: details.filter((t) => t.market === null).map((t) => t.token_id),
          list: listEvents,
        })
      },
    },
    offsets:
      repo === null
        ? null
        : {
            get: async (market) => {
              const stored = await repo.getOffset(market)
              return stored === null ? null : offsetJson(stored)
            },
            put: async (market, body) => {
              const now = options.now()
              const offset: MatchOffset = {
                market,
                offsetMs: body.offset_ms,
                calibratedMs: body.calibrated_at ?? now,
                videoUrl: body.video_url ?? null,
                updatedMs: now,
              }
              await repo.putOffset(offset)
              return offsetJson(offset)
            },
          },
  }
}

function opened(analysis: CaptureAnalysis): OpenedCapture {
  const { detail, scan, index } = analysis
  const markets = new Map(detail.token_details.map((t) => [t.token_id, t.market ?? '']))
  return {
    detail,
    source: index,
    parser: analysis.parser,
    marketOf: (tokenId) => markets.get(tokenId) ?? '',
    signals: (query) => signalsOf(scan, query),
    series: (query) => seriesOf(detail, scan, index.trades, query),
  }
}

function offsetJson(offset: MatchOffset): MatchOffsetAnswer {
  return {
    market: offset.market,
    offset_ms: offset.offsetMs,
    calibrated_at: offset.calibratedMs,
    video_url: offset.videoUrl,
    updated_at: offset.updatedMs,
  }
}
