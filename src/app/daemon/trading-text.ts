/**
 * Texts and fixed values of the trading set-up: the block of risk limits printed at start, and
 * the simulator's test wallet.
 */
import { keccak256, toHex } from 'viem'
import type { TradingCredentials } from '../../adapters/polymarket/trading/credentials.js'
import type { RiskLimits } from '../../domain/risk/limits.js'

/**
 * The wallet the `sim` venue trades with: a key generated from a fixed phrase, so it is the same
 * on every start (the simulator derives the same API key for it) and never a real wallet's.
 */
export function simWalletCredentials(): TradingCredentials {
  return {
    privateKey: keccak256(toHex('tiltmeter simulator test wallet')),
    signatureType: 0,
    funder: null,
    api: null,
  }
}

const usd = (micros: number): string => `$${(micros / 1e6).toLocaleString('en-US')}`
const minutes = (ms: number): string =>
  ms % 60_000 === 0 ? `${ms / 60_000} min` : `${(ms / 1000).toLocaleString('en-US')} s`

/** One block, a line per rule, headed by the venue and where the account's cash comes from. */
export function riskLimitsBlock(l: RiskLimits, venue: string, cash?: string): string {
  const rows: [string, string][] = [
    ['max position per market', usd(l.maxPositionUsdc)],
    ['max order size', usd(l.maxOrderUsdc)],
    ['max daily loss', `${usd(l.maxDailyLossUsdc)}, then reducing for the rest of the day`],
    [
      'max consecutive losses',
      `${l.maxConsecutiveLosses}, then a ${minutes(l.lossCooldownMs)} cooldown`,
    ],
    ['cooldown between trades per market', minutes(l.tradeCooldownMs)],
    [
      'API error rate',
      `above ${l.maxApiErrorRatePct} % over ${minutes(l.apiErrorWindowMs)} (${l.apiErrorMinSample} calls at least) halts for ${minutes(l.apiErrorHaltMs)}`,
    ],
    [
      'drawdown',
      `above ${l.maxDrawdownPct} % within ${minutes(l.drawdownWindowMs)} halts until resumed`,
    ],
    ['spread', `above ${l.maxSpreadMultiple}x its baseline denies entries`],
    ['fat finger', `more than ${l.fatFingerTicks} ticks through the touch is denied`],
    ['automated orders above', `${usd(l.approvalAboveUsdc)} need approval`],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  return [
    `tiltmeter: trading on ${venue}`,
    ...(cash === undefined ? [] : [`tiltmeter: cash: ${cash}`]),
    'tiltmeter: risk limits in force:',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ].join('\n')
}

/** The user channel beside a market channel URL (`…/ws/market` → `…/ws/user`). */
export function userWsUrlOf(marketWsUrl: string): string {
  const trimmed = marketWsUrl.replace(/\/+$/, '')
  return trimmed.endsWith('/ws/market')
    ? `${trimmed.slice(0, -'/ws/market'.length)}/ws/user`
    : `${trimmed}/ws/user`
}
