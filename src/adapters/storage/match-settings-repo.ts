/**
 * What the match dashboard stores and looks up per match, on the store's Kysely connection
 * (SQLite or PostgreSQL, one set of queries): the stream offset of a market (`match_settings`,
 * migration 0007) and what the database knows about a recording's tokens (their market,
 * outcome and question) so a capture can be shown with names. Bigint columns are read through
 * `Number()` because PostgreSQL may return them as strings.
 */
import { StoreError } from './errors.js'
import type { MatchSettingsTable } from './schema.js'
import type { Store } from './store.js'

/** The stream offset of one market: market time = video time + `offsetMs`. */
export type MatchOffset = {
  readonly market: string
  readonly offsetMs: number
  /** When the offset was calibrated, epoch ms. */
  readonly calibratedMs: number
  readonly videoUrl: string | null
  /** When it was stored, epoch ms. */
  readonly updatedMs: number
}

/** A token as the database knows it. */
export type KnownToken = {
  readonly tokenId: string
  readonly market: string
  readonly outcome: string
  readonly outcomeIndex: number
  readonly question: string
  readonly slug: string
}

export type MatchSettingsRepo = {
  getOffset(market: string): Promise<MatchOffset | null>
  /** Inserts or replaces the market's offset. */
  putOffset(offset: MatchOffset): Promise<void>
  /** The tokens among `tokenIds` the database knows, with their market; any order. */
  describeTokens(tokenIds: readonly string[]): Promise<KnownToken[]>
}

/** Token ids per query: far below either database's parameter limit. */
const LOOKUP_CHUNK = 500

export function createMatchSettingsRepo(store: Pick<Store, 'kysely'>): MatchSettingsRepo {
  const db = store.kysely
  return {
    async getOffset(market) {
      const row = await db
        .selectFrom('match_settings')
        .selectAll()
        .where('condition_id', '=', market)
        .executeTakeFirst()
      return row === undefined ? null : offsetOf(row)
    },
    async putOffset(offset) {
      const row: MatchSettingsTable = {
        condition_id: offset.market,
        offset_ms: offset.offsetMs,
        calibrated_ms: offset.calibratedMs,
        video_url: offset.videoUrl,
        updated_ms: offset.updatedMs,
      }
      const { condition_id: _key, ...rest } = row
      await db
        .insertInto('match_settings')
        .values(row)
        .onConflict((c) => c.column('condition_id').doUpdateSet(rest))
        .execute()
    },
    async describeTokens(tokenIds) {
      const out: KnownToken[] = []
      for (let i = 0; i < tokenIds.length; i += LOOKUP_CHUNK) {
        const chunk = tokenIds.slice(i, i + LOOKUP_CHUNK)
        if (chunk.length === 0) continue
        const rows = await db
          .selectFrom('tokens')
          .innerJoin('markets', 'markets.condition_id', 'tokens.condition_id')
          .select([
            'tokens.token_id',
            'tokens.condition_id',
            'tokens.outcome',
            'tokens.outcome_index',
            'markets.question',
            'markets.slug',
          ])
          .where('tokens.token_id', 'in', chunk)
          .execute()
        for (const row of rows) {
          out.push({
            tokenId: row.token_id,
            market: row.condition_id,
            outcome: row.outcome,
            outcomeIndex: Number(row.outcome_index),
            question: row.question,
            slug: row.slug,
          })
        }
      }
      return out
    },
  }
}

function offsetOf(row: MatchSettingsTable): MatchOffset {
  const whole = (field: string, value: unknown): number => {
    const n = Number(value)
    if (!Number.isSafeInteger(n)) {
      throw new StoreError(
        'STORE_BAD_ROW',
        `match settings of ${row.condition_id}: ${field} ${JSON.stringify(value)} is not a whole number of ms`,
      )
    }
    return n
  }
  return {
    market: row.condition_id,
    offsetMs: whole('offset_ms', row.offset_ms),
    calibratedMs: whole('calibrated_ms', row.calibrated_ms),
    videoUrl: row.video_url,
    updatedMs: whole('updated_ms', row.updated_ms),
  }
}
