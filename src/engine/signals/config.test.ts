import { describe, expect, test } from 'vitest'
import {
  DEFAULT_SIGNAL_CONFIG,
  DEFAULT_SIGNAL_PARAMS,
  parseSignalConfig,
  paramsFor,
  SignalConfigError,
} from './config.js'

describe('parseSignalConfig', () => {
  test('SPEC 2.4 defaults', () => {
    expect(parseSignalConfig(undefined)).toBe(DEFAULT_SIGNAL_CONFIG)
    expect(parseSignalConfig({})).toEqual(DEFAULT_SIGNAL_CONFIG)
    expect(DEFAULT_SIGNAL_PARAMS).toMatchObject({
      baselineWindowMs: 3_600_000,
      warmupMs: 600_000,
      shortWindowMs: 30_000,
      cooldownMs: 60_000,
      depthLevels: 5,
      panicSell: { volumeRatio: 3, spreadRatio: 2, priceDrop: 0.03, sellShare: 0.6 },
      fomoBuy: { volumeRatio: 3, priceRise: 0.05, buyShare: 0.6 },
      liquidityVacuum: { depthRatio: 0.5, spreadRatio: 3 },
      reversion: { retrace: 0.5, horizonMs: 180_000 },
    })
  })

  test('the adopted additions to SPEC 2.4 are on by default, the vacuum trials off; both switch', () => {
    expect(DEFAULT_SIGNAL_PARAMS).toMatchObject({
      jumpMs: 1_000,
      panicSell: { maxOrderShare: 0.5, excludeJump: true },
      fomoBuy: { maxOrderShare: 0.5, excludeJump: true },
      liquidityVacuum: {
        minWithdrawnShare: 0.5,
        excludeCrowd: true,
        bandDepth: false,
        holdMs: 0,
        oneSided: false,
      },
    })
    const off = parseSignalConfig({
      default: {
        jumpMs: 2_000,
        panicSell: { maxOrderShare: 1, excludeJump: false },
        fomoBuy: { maxOrderShare: 1, excludeJump: false },
        liquidityVacuum: { minWithdrawnShare: 0, bandDepth: true, holdMs: 1_000, oneSided: true },
      },
    })
    expect(off.default.jumpMs).toBe(2_000)
    expect(off.default.panicSell).toMatchObject({ maxOrderShare: 1, excludeJump: false })
    expect(off.default.liquidityVacuum).toMatchObject({
      minWithdrawnShare: 0,
      bandDepth: true,
      holdMs: 1_000,
      oneSided: true,
    })
  })

  test('sport overrides sit on top of the overridden default', () => {
    const config = parseSignalConfig({
      default: { cooldownMs: 30_000, panicSell: { priceDrop: 0.04 } },
      sports: { cs2: { panicSell: { volumeRatio: 4 } }, dota2: {} },
      allowUnsyncedBooks: true,
    })
    expect(config.default.cooldownMs).toBe(30_000)
    expect(config.sports.cs2!.panicSell).toMatchObject({
      volumeRatio: 4,
      priceDrop: 0.04,
      sellShare: 0.6,
    })
    expect(config.sports.cs2!.cooldownMs).toBe(30_000)
    expect(config.sports.dota2).toEqual(config.default)
    expect(config.allowUnsyncedBooks).toBe(true)
    expect(paramsFor(config, 'cs2')).toBe(config.sports.cs2)
    expect(paramsFor(config, 'valorant')).toBe(config.default)
    expect(paramsFor(config, null)).toBe(config.default)
    expect(paramsFor(config, 'toString')).toBe(config.default)
    expect(DEFAULT_SIGNAL_PARAMS.panicSell.priceDrop).toBe(0.03)
  })

  test.each([
    [
      { sports: { cs2: { panicSell: { volumeRatio: -1 } } } },
      'signals.sports.cs2.panicSell.volumeRatio must be a number > 0; got -1',
    ],
    [
      { default: { fomoBuy: { buyShare: 1.5 } } },
      'signals.default.fomoBuy.buyShare must be a number > 0 and <= 1; got 1.5',
    ],
    [
      { default: { liquidityVacuum: { minWithdrawnShare: -0.1 } } },
      'signals.default.liquidityVacuum.minWithdrawnShare must be a number >= 0 and <= 1; got -0.1',
    ],
    [
      { default: { liquidityVacuum: { holdMs: -1 } } },
      'signals.default.liquidityVacuum.holdMs must be a whole number >= 0; got -1',
    ],
    [
      { default: { liquidityVacuum: { bandDepth: 1 } } },
      'signals.default.liquidityVacuum.bandDepth must be true or false; got 1',
    ],
    [
      { default: { panicSell: { maxOrderShare: 0 } } },
      'signals.default.panicSell.maxOrderShare must be a number > 0 and <= 1; got 0',
    ],
    [
      { default: { fomoBuy: { excludeJump: 'yes' } } },
      'signals.default.fomoBuy.excludeJump must be true or false; got "yes"',
    ],
    [
      { default: { jumpMs: 0 } },
      'signals.default.jumpMs must be a whole number of milliseconds > 0; got 0',
    ],
    [
      { default: { warmupMs: '10m' } },
      'signals.default.warmupMs must be a whole number >= 0; got "10m"',
    ],
    [
      { default: { baselineWindowMs: 1.5 } },
      'signals.default.baselineWindowMs must be a whole number of milliseconds > 0; got 1.5',
    ],
    [
      { default: { liquidityVacuum: { enabled: 'yes' } } },
      'signals.default.liquidityVacuum.enabled must be true or false; got "yes"',
    ],
    [
      { default: { panicSel: {} } },
      'signals.default.panicSel is not a known setting; expected one of',
    ],
    [{ defaults: {} }, 'signals.defaults is not a known setting; expected one of default, sports'],
    [{ sports: [] }, 'signals.sports must be an object keyed by sport; got an array'],
    [{ sports: { cs2: null } }, 'signals.sports.cs2 must be an object; got null'],
    [{ default: { reversion: 3 } }, 'signals.default.reversion must be an object; got 3'],
    [
      { default: { depthLevels: 0 } },
      'signals.default.depthLevels must be a whole number >= 1; got 0',
    ],
    [
      { default: { baselineWindowMs: 10_000 } },
      'signals.default.baselineWindowMs must be at least shortWindowMs (30000); got 10000',
    ],
    [{ allowUnsyncedBooks: 1 }, 'signals.allowUnsyncedBooks must be true or false; got 1'],
    [[], 'signals must be an object; got an array'],
    ['x', 'signals must be an object; got "x"'],
  ])('rejects %j', (value, message) => {
    let caught: unknown
    try {
      parseSignalConfig(value)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(SignalConfigError)
    expect((caught as Error).message).toContain(message)
  })

  test('the error carries the path', () => {
    expect(() => parseSignalConfig({ default: { reversion: { retrace: 0 } } })).toThrow(
      expect.objectContaining({
        path: 'signals.default.reversion.retrace',
        code: 'SIGNAL_CONFIG_INVALID',
      }),
    )
  })

  test('a caller can name the section', () => {
    expect(() => parseSignalConfig({ default: { cooldownMs: -1 } }, 'config.signals')).toThrow(
      'config.signals.default.cooldownMs must be a whole number >= 0; got -1',
    )
  })
})
