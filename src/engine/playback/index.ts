/** Playback of recordings by venue time: the session, its ports and the index builder. */
export {
  PlaybackSession,
  type AdvanceResult,
  type PlaybackMarket,
  type PlaybackSessionOptions,
  type PlaybackView,
} from './playback-session.js'
export type {
  Checkpoint,
  PlaybackCursor,
  PlaybackMarker,
  PlaybackPosition,
  PlaybackSource,
  RecordVisitor,
  TimelineItem,
  TimelineSource,
} from './playback-ports.js'
export {
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_CHECKPOINT_MAX_FRAMES,
  IndexBuilder,
  type IndexBuilderOptions,
  type IndexBuildSummary,
} from './index-builder.js'
export { TradeLog, type PlaybackTrade } from './trade-log.js'
export { advanceClock } from './frame-step.js'
