/** The Polymarket market-channel parser as the engine's `FrameParser` port. */
import type { FrameParser } from '../../../engine/market-data.js'
import { parseMarketBytes, parseMarketFrame, parseMarketValue } from './parse.js'
import { scanPriceChangeBytes } from './scan-price-change.js'

export const polymarketFrameParser: FrameParser = {
  parseText: parseMarketFrame,
  parseValue: parseMarketValue,
  parseBytes: parseMarketBytes,
  scanBytes: scanPriceChangeBytes,
}
