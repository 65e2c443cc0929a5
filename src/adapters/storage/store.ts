/**
 * The `Store` port: the one place that reads and writes the database. SQLite by default,
 * PostgreSQL when `databaseUrl` says so; the same Kysely queries and migrations run on both.
 */
import { join } from 'node:path'
import { Kysely, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely'
import type { MarketId, TokenId } from '../../domain/market.js'
import type { EpochMs, PriceTicks, ShareMicros } from '../../domain/units.js'
import { StoreError, messageOf } from './errors.js'
import { MIGRATIONS } from './migrations/index.js'
import type { Migration, StoreDialect } from './migrations/migration.js'
import { runMigrations } from './migrations/run-migrations.js'
import { isPostgresUrl, openPostgres } from './postgres.js'
import type { GameEvent } from '../../domain/game-events.js'
import type {
  BookSnapshotRecord,
  GameEventFilter,
  MarketRecord,
  SignalFilter,
  SignalRecord,
  SignalReversionRecord,
  StoredGameEvent,
  StoredMarket,
  StoredSignal,
  TokenRecord,
  TradeRecord,
} from './records.js'
import {
  bookSnapshotRecordSchema,
  checkRecord,
  checkRow,
  gameEventRecordSchema,
  gameEventRowSchema,
  marketRecordSchema,
  marketRowSchema,
  signalRecordSchema,
  signalReversionRecordSchema,
  signalRowSchema,
  tokenRecordSchema,
  tokenRowSchema,
  tradeRecordSchema,
} from './row-schemas.js'
import type { Database } from './schema.js'
import { SQLITE_FILE_NAME, SQLITE_MEMORY, openSqlite } from './sqlite.js'

export const DEFAULT_DATA_DIR = 'data'
/** Rows per INSERT; keeps bound parameters well under both databases' limits. */
const BATCH_ROWS = 200

export type StoreOptions = {
  /**
   * `postgres://…` or `postgresql://…` for PostgreSQL; `:memory:` or `sqlite:<path>` for SQLite;
   * absent or empty for `<dataDir>/tiltmeter.sqlite`.
   */
  readonly databaseUrl?: string | undefined
  /** Where the default SQLite file lives; `./data` when absent. */
  readonly dataDir?: string | undefined
  /** Replaces the built-in migrations (tests use it to inject a failing one). */
  readonly migrations?: readonly Migration[]
  /** Errors from idle PostgreSQL connections; they are reported here instead of crashing. */
  readonly onBackgroundError?: (e: Error) => void
}

export type Store = {
  readonly dialect: StoreDialect
  /** File path, `:memory:` or `host:port/database`; never a password. */
  readonly location: string
  /** Inserts or replaces a market and its outcome tokens, in one transaction. */
  upsertMarket(market: MarketRecord, tokens: readonly TokenRecord[]): Promise<void>
  /** The market by condition id or slug, with its tokens by outcome index; null if unknown. */
  getMarket(idOrSlug: string): Promise<StoredMarket | null>
  /** Writes snapshots in batches inside one transaction; all or nothing. */
  insertBookSnapshots(snapshots: readonly BookSnapshotRecord[]): Promise<void>
  /** Writes trades, skipping any whose dedupe key is already stored; returns rows added. */
  insertTrades(trades: readonly TradeRecord[]): Promise<number>
  /** Returns the new signal's id. */
  insertSignal(signal: SignalRecord): Promise<number>
  /** Stores how a signal's move ended; throws `STORE_NOT_FOUND` for an unknown id. */
  updateSignalReversion(id: number, reversion: SignalReversionRecord): Promise<void>
  /** Signals with `from <= ts < to`, by time (oldest first unless `order: 'desc'`), then id. */
  listSignals(filter?: SignalFilter): Promise<StoredSignal[]>
  /** All or nothing, in one transaction; returns the new ids in input order. */
  insertGameEvents(events: readonly GameEvent[]): Promise<number[]>
  /**
   * Events with `from <= ts < to` (venue-epoch ms) concerning the market and/or asset (see
   * {@link GameEventFilter}), oldest first, then by id.
   */
  listGameEvents(filter?: GameEventFilter): Promise<StoredGameEvent[]>
  /** Removes one event (undo); false when no event has that id. */
  deleteGameEvent(id: number): Promise<boolean>
  /** The query builder, for later repositories and tests; prefer the methods above. */
  readonly kysely: Kysely<Database>
  close(): Promise<void>
}

/** Opens the configured database and brings its schema up to date. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl ?? ''
  const onBackgroundError =
    options.onBackgroundError ??
    ((e: Error) => process.emitWarning(`PostgreSQL connection error: ${e.message}`))
  let dialect: StoreDialect
  let connection: { dialect: ConstructorParameters<typeof Kysely>[0]['dialect']; label: string }
  if (isPostgresUrl(url)) {
    dialect = 'postgres'
    connection = await openPostgres(url, onBackgroundError)
  } else if (url === '') {
    dialect = 'sqlite'
    connection = openSqlite(join(options.dataDir ?? DEFAULT_DATA_DIR, SQLITE_FILE_NAME))
  } else if (url === SQLITE_MEMORY || url === `sqlite:${SQLITE_MEMORY}`) {
    dialect = 'sqlite'
    connection = openSqlite(SQLITE_MEMORY)
  } else if (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) {
    dialect = 'sqlite'
    connection = openSqlite(url.slice('sqlite:'.length))
  } else {
    throw new StoreError(
      'STORE_CONFIG',
      `DATABASE_URL must start with postgres:// or postgresql:// (or be :memory: or ` +
        `sqlite:<path>); got scheme "${schemeOf(url)}"`,
    )
  }
  const db = new Kysely<Database>({ dialect: connection.dialect })
  try {
    await runMigrations(db, dialect, options.migrations ?? MIGRATIONS, connection.label)
  } catch (e) {
    await db.destroy()
    if (e instanceof StoreError) throw e
    throw new StoreError(
      'STORE_MIGRATION_FAILED',
      `cannot prepare the schema of ${connection.label}: ${messageOf(e)}`,
      { cause: e },
    )
  }
  return createStore(db, dialect, connection.label)
}

/** The part before the first `:` (or the first 10 characters), so no password is echoed. */
function schemeOf(url: string): string {
  const colon = url.indexOf(':')
  return colon >= 0 ? url.slice(0, colon + 1) : url.slice(0, 10)
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const flagOf = (value: boolean): 0 | 1 => (value ? 1 : 0)

function jsonText(value: unknown, what: string): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (e) {
    throw new StoreError('STORE_BAD_RECORD', `${what} is not JSON-serialisable: ${messageOf(e)}`, {
      cause: e,
    })
  }
  return text ?? 'null'
}

function createStore(db: Kysely<Database>, dialect: StoreDialect, location: string): Store {
  let closed = false
  return {
    dialect,
    location,
    kysely: db,

    async upsertMarket(market, tokens) {
      checkRecord(marketRecordSchema, market, `market ${market.conditionId}`)
      tokens.forEach((t, i) => checkRecord(tokenRecordSchema, t, `token ${i} of ${market.slug}`))
      const row = {
        condition_id: market.conditionId,
        slug: market.slug,
        question: market.question,
        sport: market.sport,
        market_type: market.marketType,
        tick_size: market.tickSize,
        min_order_size: market.minOrderSize,
        neg_risk: flagOf(market.negRisk),
        game_start_ms: market.gameStartTime,
        seconds_delay: market.secondsDelay,
        raw_json: jsonText(market.raw, `raw metadata of market ${market.slug}`),
        updated_ms: Date.now(),
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('markets')
          .values(row)
          .onConflict((oc) =>
            oc.column('condition_id').doUpdateSet((eb) => ({
              slug: eb.ref('excluded.slug'),
              question: eb.ref('excluded.question'),
              sport: eb.ref('excluded.sport'),
              market_type: eb.ref('excluded.market_type'),
              tick_size: eb.ref('excluded.tick_size'),
              min_order_size: eb.ref('excluded.min_order_size'),
              neg_risk: eb.ref('excluded.neg_risk'),
              game_start_ms: eb.ref('excluded.game_start_ms'),
              seconds_delay: eb.ref('excluded.seconds_delay'),
              raw_json: eb.ref('excluded.raw_json'),
              updated_ms: eb.ref('excluded.updated_ms'),
            })),
          )
          .execute()
        if (tokens.length === 0) return
        await trx
          .insertInto('tokens')
          .values(
            tokens.map((t) => ({
              token_id: t.tokenId,
              condition_id: market.conditionId,
              outcome: t.outcome,
              outcome_index: t.outcomeIndex,
            })),
          )
          .onConflict((oc) =>
            oc.column('token_id').doUpdateSet((eb) => ({
              condition_id: eb.ref('excluded.condition_id'),
              outcome: eb.ref('excluded.outcome'),
              outcome_index: eb.ref('excluded.outcome_index'),
            })),
          )
          .execute()
      })
    },

    async getMarket(idOrSlug) {
      const found = await db
        .selectFrom('markets')
        .selectAll()
        .where((eb) => eb.or([eb('condition_id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
        .executeTakeFirst()
      if (found === undefined) return null
      const what = `market ${idOrSlug}`
      const row = checkRow(marketRowSchema, found, what)
      const tokenRows = await db
        .selectFrom('tokens')
        .select(['token_id', 'outcome', 'outcome_index'])
        .where('condition_id', '=', row.condition_id)
        .orderBy('outcome_index')
        .execute()
      let raw: unknown
      try {
        raw = JSON.parse(row.raw_json)
      } catch (e) {
        throw new StoreError('STORE_BAD_ROW', `${what} has raw metadata that is not JSON`, {
          cause: e,
        })
      }
      return {
        conditionId: row.condition_id as MarketId,
        slug: row.slug,
        question: row.question,
        sport: row.sport,
        marketType: row.market_type,
        tickSize: row.tick_size as PriceTicks | null,
        minOrderSize: row.min_order_size as ShareMicros | null,
        negRisk: row.neg_risk,
        gameStartTime: row.game_start_ms as EpochMs | null,
        secondsDelay: row.seconds_delay,
        raw,
        tokens: tokenRows.map((t) => {
          const token = checkRow(tokenRowSchema, t, `token ${t.token_id}`)
          return {
            tokenId: token.token_id as TokenId,
            outcome: token.outcome,
            outcomeIndex: token.outcome_index,
          }
        }),
      }
    },

    async insertBookSnapshots(snapshots) {
      if (snapshots.length === 0) return
      snapshots.forEach((s, i) => checkRecord(bookSnapshotRecordSchema, s, `book snapshot ${i}`))
      const rows = snapshots.map((s) => ({
        token_id: s.tokenId,
        ts_venue: s.tsVenue,
        ts_local: s.tsLocal,
        best_bid: s.bestBid,
        best_ask: s.bestAsk,
        mid: s.mid,
        spread: s.spread,
        depth5_bid_shares: s.depth5BidShares,
        depth5_ask_shares: s.depth5AskShares,
        depth5_bid_usdc: s.depth5BidUsdc,
        depth5_ask_usdc: s.depth5AskUsdc,
        imbalance: s.imbalance,
        stale: flagOf(s.stale),
        levels_json: JSON.stringify({ bids: s.bids, asks: s.asks }),
      }))
      await db.transaction().execute(async (trx) => {
        for (const batch of chunks(rows, BATCH_ROWS)) {
          await trx.insertInto('book_snapshots').values(batch).execute()
        }
      })
    },

    async insertTrades(trades) {
      if (trades.length === 0) return 0
      trades.forEach((t, i) => checkRecord(tradeRecordSchema, t, `trade ${i}`))
      const rows = trades.map((t) => ({
        token_id: t.tokenId,
        ts: t.ts,
        price: t.price,
        size: t.size,
        taker_side: t.takerSide,
        fee_bps: t.feeBps,
        dedupe_key: t.dedupeKey,
      }))
      return db.transaction().execute(async (trx) => {
        let added = 0
        for (const batch of chunks(rows, BATCH_ROWS)) {
          const result = await trx
            .insertInto('trades')
            .values(batch)
            .onConflict((oc) => oc.column('dedupe_key').doNothing())
            .executeTakeFirst()
          added += Number(result.numInsertedOrUpdatedRows ?? 0n)
        }
        return added
      })
    },

    async insertSignal(signal) {
      checkRecord(signalRecordSchema, signal, `signal ${signal.type}`)
      const outcome = signal.reversion ?? null
      const inserted = await db
        .insertInto('signals')
        .values({
          type: signal.type,
          token_id: signal.tokenId,
          market: signal.market,
          ts: signal.ts,
          score: signal.score,
          inputs_json: jsonText(signal.inputs, `inputs of signal ${signal.type}`),
          mirror_of: signal.mirrorOf,
          volume_ratio: signal.volumeRatio,
          spread_ratio: signal.spreadRatio,
          depth_ratio: signal.depthRatio,
          price_change: signal.priceChange,
          ref_price: signal.refPrice,
          ...reversionColumns(outcome),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return Number(inserted.id)
    },

    async updateSignalReversion(id, reversion) {
      checkRecord(signalReversionRecordSchema, reversion, `reversion of signal ${id}`)
      const result = await db
        .updateTable('signals')
        .set(reversionColumns(reversion))
        .where('id', '=', id)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) {
        throw new StoreError('STORE_NOT_FOUND', `signal ${id} does not exist; nothing was updated`)
      }
    },

    async listSignals(filter = {}) {
      const order = filter.order ?? 'asc'
      let query = db.selectFrom('signals').selectAll()
      if (filter.tokenId !== undefined) query = query.where('token_id', '=', filter.tokenId)
      if (filter.from !== undefined) query = query.where('ts', '>=', filter.from)
      if (filter.to !== undefined) query = query.where('ts', '<', filter.to)
      query = query.orderBy('ts', order).orderBy('id', order)
      if (filter.limit !== undefined) {
        if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) {
          throw new StoreError(
            'STORE_BAD_RECORD',
            `listSignals limit must be a whole number >= 0; got ${String(filter.limit)}`,
          )
        }
        query = query.limit(filter.limit)
      }
      const rows = await query.execute()
      return rows.map((r) => signalFromRow(r))
    },

    async insertGameEvents(events) {
      if (events.length === 0) return []
      events.forEach((e, i) => checkRecord(gameEventRecordSchema, e, `game event ${i}`))
      const rows = events.map((e) => ({
        condition_id: e.market,
        asset_id: e.assetId,
        type: e.type,
        team: e.team,
        player: e.player,
        score: e.score,
        map_number: e.mapNumber,
        note: e.note,
        ts: e.ts,
        ts_video: e.tsVideo,
        source: e.source,
      }))
      return db.transaction().execute(async (trx) => {
        const ids: number[] = []
        for (const batch of chunks(rows, BATCH_ROWS)) {
          // RETURNING gives rows in VALUES order on both databases for a plain INSERT.
          const inserted = await trx
            .insertInto('game_events')
            .values(batch)
            .returning('id')
            .execute()
          for (const row of inserted) ids.push(Number(row.id))
        }
        return ids
      })
    },

    async listGameEvents(filter = {}) {
      let query = db.selectFrom('game_events').selectAll()
      const { market, assetId } = filter
      if (market !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('condition_id', '=', market),
            eb.and([
              eb('condition_id', 'is', null),
              eb(
                'asset_id',
                'in',
                eb.selectFrom('tokens').select('token_id').where('condition_id', '=', market),
              ),
            ]),
          ]),
        )
      }
      if (assetId !== undefined) query = query.where((eb) => concernsAsset(eb, assetId))
      if (filter.from !== undefined) query = query.where('ts', '>=', filter.from)
      if (filter.to !== undefined) query = query.where('ts', '<', filter.to)
      const rows = await query.orderBy('ts').orderBy('id').execute()
      return rows.map((r) => {
        const row = checkRow(gameEventRowSchema, r, `game event ${String(r.id)}`)
        return {
          id: row.id,
          market: row.condition_id as MarketId | null,
          assetId: row.asset_id as TokenId | null,
          type: row.type,
          team: row.team,
          player: row.player,
          score: row.score,
          mapNumber: row.map_number,
          note: row.note,
          ts: row.ts as EpochMs,
          tsVideo: row.ts_video,
          source: row.source,
        }
      })
    },

    async deleteGameEvent(id) {
      const result = await db.deleteFrom('game_events').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async close() {
      if (closed) return
      closed = true
      await db.destroy()
    },
  }
}

/** Events stored with this asset, or with only a market id that is this asset's market. */
function concernsAsset(
  eb: ExpressionBuilder<Database, 'game_events'>,
  assetId: string,
): Expression<SqlBool> {
  return eb.or([
    eb('asset_id', '=', assetId),
    eb.and([
      eb('asset_id', 'is', null),
      eb(
        'condition_id',
        'in',
        eb.selectFrom('tokens').select('tokens.condition_id').where('token_id', '=', assetId),
      ),
    ]),
  ])
}

function reversionColumns(r: SignalReversionRecord | null) {
  return {
    reverted: r === null ? null : flagOf(r.reverted),
    reversion_ms: r?.reversionMs ?? null,
    retrace: r?.retrace ?? null,
    mfe: r?.mfe ?? null,
    mae: r?.mae ?? null,
    resolved_ts: r?.resolvedTs ?? null,
  }
}

function signalFromRow(r: unknown): StoredSignal {
  const what = `signal ${String((r as { id?: unknown }).id)}`
  const row = checkRow(signalRowSchema, r, what)
  let inputs: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(row.inputs_json)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('not a JSON object')
    }
    inputs = parsed as Record<string, unknown>
  } catch (e) {
    throw new StoreError('STORE_BAD_ROW', `${what} has inputs that are not a JSON object`, {
      cause: e,
    })
  }
  const settled =
    row.resolved_ts !== null &&
    row.reverted !== null &&
    row.retrace !== null &&
    row.mfe !== null &&
    row.mae !== null
  return {
    id: row.id,
    type: row.type,
    tokenId: row.token_id as TokenId,
    market: row.market as MarketId | null,
    ts: row.ts as EpochMs,
    score: row.score,
    volumeRatio: row.volume_ratio,
    spreadRatio: row.spread_ratio,
    depthRatio: row.depth_ratio,
    priceChange: row.price_change,
    refPrice: row.ref_price,
    mirrorOf: row.mirror_of,
    inputs,
    reversion: settled
      ? {
          reverted: row.reverted === 1,
          reversionMs: row.reversion_ms,
          retrace: row.retrace ?? 0,
          mfe: row.mfe ?? 0,
          mae: row.mae ?? 0,
          resolvedTs: (row.resolved_ts ?? 0) as EpochMs,
        }
      : null,
  }
}
