/**
 * Emulated stops over HTTP: the stop fields of an order body (parsed here, used by
 * `POST /api/orders` in orders-routes.ts), `GET /api/stops` and `DELETE /api/stops/:id`.
 * Prices in answers are venue decimals, sizes shares, times epoch ms.
 */
import type { FastifyInstance } from 'fastify'
import { stopLevels, type Stop, type StopOffsets } from '../../domain/orders/stops.js'
import { formatPrice, formatSize, type PriceTicks } from '../../domain/units.js'
import type { StopManager } from '../../engine/execution/stop-manager.js'

export const STOP_FIELDS = ['stop_loss_ticks', 'take_profit_ticks', 'trailing_stop_ticks'] as const

/** Largest offset accepted: the whole price range at the finest tick. */
const MAX_OFFSET_TICKS = 10_000

/**
 * Reads the optional stop offsets of an order body; every problem is pushed to `errors` naming
 * its field. Null when the body asks for no stop.
 */
export function parseStopOffsets(
  body: Record<string, unknown>,
  side: unknown,
  errors: string[],
): StopOffsets | null {
  const values: (number | null)[] = []
  let given = false
  for (const field of STOP_FIELDS) {
    const raw = body[field]
    if (raw === undefined || raw === null) {
      values.push(null)
      continue
    }
    given = true
    const value = typeof raw === 'string' && /^\d{1,6}$/.test(raw.trim()) ? Number(raw) : raw
    if (
      typeof value !== 'number' ||
      !Number.isSafeInteger(value) ||
      value < 1 ||
      value > MAX_OFFSET_TICKS
    ) {
      errors.push(
        `${field}: a whole number of the market's ticks from the entry price, 1 to ${MAX_OFFSET_TICKS} (e.g. 5)`,
      )
    }
    values.push(typeof value === 'number' ? value : null)
  }
  if (!given) return null
  if (side === 'sell') {
    errors.push(
      `${STOP_FIELDS.filter((f) => body[f] !== undefined && body[f] !== null).join(', ')}: ` +
        'stops guard a position opened by a buy; send them with the buy that opens it',
    )
  }
  return { stopLossTicks: values[0]!, takeProfitTicks: values[1]!, trailingStopTicks: values[2]! }
}

function price(value: number | null): string | null {
  return value === null ? null : formatPrice(value as PriceTicks)
}

/** The API's snake_case view of a stop. Levels are null when unused or before the entry fills. */
export function stopJson(stop: Stop): Record<string, unknown> {
  const levels = stopLevels(stop)
  const armed = stop.state !== 'pending'
  return {
    id: stop.id,
    state: stop.state,
    market: stop.market,
    token_id: stop.tokenId,
    side: stop.side,
    entry_order_id: stop.entryOrderId,
    entry_price: armed ? formatPrice(stop.entryPrice) : null,
    size: formatSize(stop.size),
    tick_size: formatPrice(stop.tickSize),
    stop_loss_ticks: stop.stopLossTicks,
    take_profit_ticks: stop.takeProfitTicks,
    trailing_stop_ticks: stop.trailingStopTicks,
    stop_loss_price: price(levels.stopLoss),
    take_profit_price: price(levels.takeProfit),
    trailing_stop_price: price(levels.trailingStop),
    trailing_reference_price: armed ? price(stop.extreme) : null,
    trigger: stop.trigger,
    trigger_price: price(stop.triggerPrice),
    triggered_ms: stop.triggeredMs,
    exit_order_id: stop.exitOrderId,
    exit_filled: formatSize(stop.exitFilled),
    reason_code: stop.reasonCode,
    reason_message: stop.reasonMessage,
    created_ms: stop.createdMs,
    updated_ms: stop.updatedMs,
  }
}

export const STOPS_UNAVAILABLE =
  'emulated stops are not available yet: trading is still starting, or this daemon runs without them'

/** `GET /api/stops` (newest first) and `DELETE /api/stops/:id`. */
export function registerStopRoutes(app: FastifyInstance, stopsOf: () => StopManager | null): void {
  app.get('/api/stops', async (_request, reply) => {
    const stops = stopsOf()
    if (stops === null) return reply.code(503).send({ error: STOPS_UNAVAILABLE })
    return reply.send({ stops: (await stops.list()).map(stopJson) })
  })

  app.delete('/api/stops/:id', async (request, reply) => {
    const stops = stopsOf()
    if (stops === null) return reply.code(503).send({ error: STOPS_UNAVAILABLE })
    const id = (request.params as { id: string }).id
    const result = await stops.cancel(id)
    if (result.ok) return reply.send({ stop: stopJson(result.stop) })
    if (result.code === 'NOT_FOUND') return reply.code(404).send({ error: `no stop with id ${id}` })
    return reply.code(409).send({
      error:
        `stop ${id} is ${result.stop.state} and can no longer be cancelled` +
        (result.stop.exitOrderId === null ? '' : `; its exit order is ${result.stop.exitOrderId}`),
      stop: stopJson(result.stop),
    })
  })
}
