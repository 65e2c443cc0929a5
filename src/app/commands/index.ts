/** The subcommands, in the order `tiltmeter --help` lists them. */
import type { Command } from '../cli-io.js'
import { backtestCommand } from './backtest.js'
import { captureCommand } from './capture.js'
import { eventsCommand } from './events.js'
import { importCommand } from './import.js'
import { marketsCommand } from './markets.js'
import { recordCommand } from './record.js'
import { replayCommand } from './replay.js'
import { simCommand } from './sim.js'
import { startCommand } from './start.js'
import { studyCommand } from './study.js'

export const COMMANDS: readonly Command[] = [
  startCommand,
  replayCommand,
  importCommand,
  marketsCommand,
  recordCommand,
  captureCommand,
  simCommand,
  eventsCommand,
  studyCommand,
  backtestCommand,
]
