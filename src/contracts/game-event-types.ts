/**
 * The event vocabulary. The esports types come from SPEC 2.3. Traditional sports (the NHL
 * recording, later soccer) add `goal`, `period_start`, `period_end`, `game_start` and
 * `game_end`: a goal is the scoring unit of those games as a round is of Valorant or CS2, and
 * period boundaries are where the clock (and often the price) pauses. `custom` is for anything
 * else, with the detail in the note; new types need a code change on purpose, so a typo in a
 * CSV is caught instead of becoming its own type.
 */
export const GAME_EVENT_TYPES = [
  'round_win',
  'round_loss',
  'clutch',
  'ace',
  'eco_round',
  'pistol_round',
  'map_win',
  'map_loss',
  'timeout',
  'tech_pause',
  'goal',
  'period_start',
  'period_end',
  'game_start',
  'game_end',
  'custom',
] as const satisfies readonly string[]

export type GameEventType = (typeof GAME_EVENT_TYPES)[number]
