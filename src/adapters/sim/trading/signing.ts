/**
 * The venue's cryptographic checks, as the simulator performs them: L1 (EIP-712 `ClobAuth`
 * signed by the wallet, to create or derive API keys), L2 (HMAC-SHA256 over timestamp, method,
 * path and body with the API secret) and the V2 order signature (EIP-712, domain
 * "Polymarket CTF Exchange" version "2", verifying contract chosen by neg-risk). Signature
 * recovery uses viem (secp256k1 is never re-implemented here).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  hashDomain,
  hashStruct,
  hashTypedData,
  recoverTypedDataAddress,
  toHex,
  type Hex,
} from 'viem'

/** Chains the official client accepts: Polygon and Amoy. Both use the same V2 exchanges. */
export const CHAIN_POLYGON = 137
export const CHAIN_AMOY = 80002

export const EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B'
export const NEG_RISK_EXCHANGE_V2 = '0xe2222d279d744050d28e00520010520000310F59'

export const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet'

const CLOB_AUTH_TYPES = {
  ClobAuth: [
    { name: 'address', type: 'address' },
    { name: 'timestamp', type: 'string' },
    { name: 'nonce', type: 'uint256' },
    { name: 'message', type: 'string' },
  ],
} as const

export const ORDER_V2_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const

/** The V2 order as it travels in `POST /order` (`side` as text, amounts as decimal strings). */
export type SignedOrderV2 = {
  readonly salt: string
  readonly maker: string
  readonly signer: string
  readonly tokenId: string
  readonly makerAmount: string
  readonly takerAmount: string
  readonly side: 'BUY' | 'SELL'
  readonly signatureType: number
  readonly timestamp: string
  readonly expiration: string
  readonly metadata: string
  readonly builder: string
  readonly signature: string
}

export function orderDomain(chainId: number, negRisk: boolean) {
  return {
    name: 'Polymarket CTF Exchange',
    version: '2',
    chainId,
    verifyingContract: (negRisk ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2) as Hex,
  } as const
}

function orderMessage(order: SignedOrderV2) {
  return {
    salt: BigInt(order.salt),
    maker: order.maker as Hex,
    signer: order.signer as Hex,
    tokenId: BigInt(order.tokenId),
    makerAmount: BigInt(order.makerAmount),
    takerAmount: BigInt(order.takerAmount),
    side: order.side === 'BUY' ? 0 : 1,
    signatureType: order.signatureType,
    timestamp: BigInt(order.timestamp),
    metadata: order.metadata as Hex,
    builder: order.builder as Hex,
  }
}

/** The order ID: the EIP-712 typed-data hash of the order (what the venue returns as `orderID`). */
export function orderHash(order: SignedOrderV2, chainId: number, negRisk: boolean): string {
  return hashTypedData({
    domain: orderDomain(chainId, negRisk),
    types: ORDER_V2_TYPES,
    primaryType: 'Order',
    message: orderMessage(order),
  })
}

/** The address that produced `order.signature`, or null when it is not a valid 65-byte signature. */
export async function recoverOrderSigner(
  order: SignedOrderV2,
  chainId: number,
  negRisk: boolean,
): Promise<string | null> {
  if (!/^0x[0-9a-fA-F]{130}$/.test(order.signature)) return null
  try {
    return await recoverTypedDataAddress({
      domain: orderDomain(chainId, negRisk),
      types: ORDER_V2_TYPES,
      primaryType: 'Order',
      message: orderMessage(order),
      signature: order.signature as Hex,
    })
  } catch {
    return null
  }
}

const TYPED_DATA_SIGN = [
  { name: 'contents', type: 'Order' },
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'salt', type: 'bytes32' },
] as const

export const ORDER_TYPE_STRING =
  'Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)'

const ZERO32: Hex = `0x${'0'.repeat(64)}`

/**
 * A deposit-wallet order (signature type 3) is signed through an ERC-7739 `TypedDataSign`
 * wrapper: `innerSig(65) ‖ domainSeparator(32) ‖ hashStruct(Order)(32) ‖ typeString ‖
 * uint16(len)`. Returns the EOA that made the inner signature, or null when the layout, the
 * separator, the contents hash or the type string do not match this order. Whether that EOA
 * owns the wallet is an on-chain fact the simulator cannot check.
 */
export async function recoverDepositWalletOwner(
  order: SignedOrderV2,
  chainId: number,
  negRisk: boolean,
): Promise<string | null> {
  const typeHex = toHex(ORDER_TYPE_STRING).slice(2)
  const expectedLength = 2 + 130 + 64 + 64 + typeHex.length + 4
  const sig = order.signature
  if (sig.length !== expectedLength || !/^0x[0-9a-fA-F]+$/.test(sig)) return null
  const inner: Hex = `0x${sig.slice(2, 132)}`
  const separator = `0x${sig.slice(132, 196)}`
  const contents = `0x${sig.slice(196, 260)}`
  const typeText = sig.slice(260, 260 + typeHex.length)
  const length = parseInt(sig.slice(260 + typeHex.length), 16)
  const domain = orderDomain(chainId, negRisk)
  const message = orderMessage(order)
  if (typeText.toLowerCase() !== typeHex.toLowerCase() || length !== ORDER_TYPE_STRING.length) {
    return null
  }
  const domainHash = hashDomain({
    domain: { ...domain, chainId: BigInt(chainId) },
    types: { EIP712Domain: EIP712_DOMAIN },
  })
  if (separator.toLowerCase() !== domainHash) {
    return null
  }
  const orderStructHash = hashStruct({ data: message, primaryType: 'Order', types: ORDER_V2_TYPES })
  if (contents.toLowerCase() !== orderStructHash) return null
  try {
    return await recoverTypedDataAddress({
      domain,
      types: { TypedDataSign: TYPED_DATA_SIGN, ...ORDER_V2_TYPES },
      primaryType: 'TypedDataSign',
      message: {
        contents: message,
        name: 'DepositWallet',
        version: '1',
        chainId: BigInt(chainId),
        verifyingContract: order.signer as Hex,
        salt: ZERO32,
      },
      signature: inner,
    })
  } catch {
    return null
  }
}

const EIP712_DOMAIN = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
] as const

/** The address that signed an L1 `ClobAuth` message, or null when the signature is unusable. */
export async function recoverClobAuthSigner(
  address: string,
  timestamp: string,
  nonce: bigint,
  signature: string,
  chainId: number,
): Promise<string | null> {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature) || !/^0x[0-9a-fA-F]{40}$/.test(address)) return null
  try {
    return await recoverTypedDataAddress({
      domain: { name: 'ClobAuthDomain', version: '1', chainId },
      types: CLOB_AUTH_TYPES,
      primaryType: 'ClobAuth',
      message: { address: address as Hex, timestamp, nonce, message: CLOB_AUTH_MESSAGE },
      signature: signature as Hex,
    })
  } catch {
    return null
  }
}

/** Decodes a base64 or base64url secret (padding optional). */
export function decodeSecret(secret: string): Buffer {
  return Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

/**
 * The L2 `POLY_SIGNATURE`: HMAC-SHA256 keyed by the decoded secret over
 * `timestamp + METHOD + path + body`, base64url with `=` padding kept.
 */
export function l2Signature(
  secret: string,
  timestamp: string,
  method: string,
  requestPath: string,
  body: string,
): string {
  return createHmac('sha256', decodeSecret(secret))
    .update(`${timestamp}${method}${requestPath}${body}`)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
}

/** Constant-time string comparison. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
