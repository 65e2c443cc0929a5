/**
 * Per-match settings of the dashboard, one row per market (condition id): the stream offset
 * (market time − video time, ms; docs/DASHBOARD_API.md), when it was calibrated, and the video
 * it belongs to. Game events already keep their video time (`game_events.ts_video`, 0001), so
 * this migration adds only the table.
 */
import type { Migration } from './migration.js'
import { BIG, TEXT, notNull } from './migration.js'

export const matchSettings: Migration = {
  name: '0007-match-settings',
  async up(db) {
    await db.schema
      .createTable('match_settings')
      .addColumn('condition_id', TEXT, (c) => c.primaryKey())
      .addColumn('offset_ms', BIG, notNull)
      .addColumn('calibrated_ms', BIG, notNull)
      .addColumn('video_url', TEXT)
      .addColumn('updated_ms', BIG, notNull)
      .execute()
  },
}
