/**
 * The `POST /order` body (V2): `{order: {salt, maker, signer, tokenId, makerAmount, takerAmount,
 * side, signatureType, timestamp, expiration, metadata, builder, signature}, owner, orderType,
 * postOnly?, deferExec?}`. Validation names the first field that is wrong.
 */
import { ORDER_TYPES, type OrderType } from './orders.js'
import type { SignedOrderV2 } from './signing.js'

const DECIMAL = /^[0-9]+$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const BYTES32 = /^0x[0-9a-fA-F]{64}$/

export type OrderPayload = {
  order: SignedOrderV2
  owner: string
  orderType: OrderType
  postOnly: boolean
}

/** Validates a `POST /order` body; a string names what is wrong. */
export function parseOrderPayload(value: unknown): OrderPayload | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object {order, owner, orderType}'
  }
  const record = value as Record<string, unknown>
  const raw = record['order']
  if (typeof raw !== 'object' || raw === null) return 'order must be an object'
  const o = raw as Record<string, unknown>
  const salt = typeof o['salt'] === 'number' ? String(o['salt']) : o['salt']
  const text = (name: string, pattern: RegExp): string | null => {
    const v = name === 'salt' ? salt : o[name]
    return typeof v === 'string' && pattern.test(v) ? v : null
  }
  const fields: Record<string, RegExp> = {
    salt: DECIMAL,
    maker: ADDRESS,
    signer: ADDRESS,
    tokenId: DECIMAL,
    makerAmount: DECIMAL,
    takerAmount: DECIMAL,
    timestamp: DECIMAL,
    expiration: DECIMAL,
    metadata: BYTES32,
    builder: BYTES32,
    signature: /^0x[0-9a-fA-F]+$/,
  }
  const out: Record<string, string> = {}
  for (const [name, pattern] of Object.entries(fields)) {
    const v = name === 'expiration' && o[name] === undefined ? '0' : text(name, pattern)
    if (v === null) return `order.${name} is missing or malformed`
    out[name] = v
  }
  const side = o['side']
  if (side !== 'BUY' && side !== 'SELL') return 'order.side must be "BUY" or "SELL"'
  const signatureType = o['signatureType']
  if (typeof signatureType !== 'number' || ![0, 1, 2, 3].includes(signatureType)) {
    return 'order.signatureType must be 0, 1, 2 or 3'
  }
  if ('taker' in o || 'nonce' in o || 'feeRateBps' in o) {
    return 'order has V1 fields (taker, nonce, feeRateBps): sign a V2 order (order_version_mismatch)'
  }
  const owner = record['owner']
  if (typeof owner !== 'string' || owner === '') return 'owner must be the API key'
  const orderType = record['orderType']
  if (typeof orderType !== 'string' || !(ORDER_TYPES as readonly string[]).includes(orderType)) {
    return `orderType must be one of ${ORDER_TYPES.join(', ')}`
  }
  const postOnly = record['postOnly'] ?? false
  if (typeof postOnly !== 'boolean') return 'postOnly must be true or false'
  const order: SignedOrderV2 = {
    salt: out['salt']!,
    maker: out['maker']!,
    signer: out['signer']!,
    tokenId: out['tokenId']!,
    makerAmount: out['makerAmount']!,
    takerAmount: out['takerAmount']!,
    side,
    signatureType,
    timestamp: out['timestamp']!,
    expiration: out['expiration']!,
    metadata: out['metadata']!,
    builder: out['builder']!,
    signature: out['signature']!,
  }
  return { order, owner, orderType: orderType as OrderType, postOnly }
}
