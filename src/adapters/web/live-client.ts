/**
 * One page's connection to the live socket, as the hub sees it: what it subscribed to, whether
 * its socket is backed up, and the bounded backlog of non-coalesced messages it missed while
 * it was.
 */

/** The part of a `ws` WebSocket the hub uses (tests pass fakes). */
export type LiveSocket = {
  /** Bytes queued in the socket and not yet sent. */
  readonly bufferedAmount: number
  /** 1 = open (the `ws` constants). */
  readonly readyState: number
  send(data: string): void
  close(code: number, reason: string): void
}

export const OPEN = 1

export type BacklogLimits = { readonly maxMessages: number; readonly maxBytes: number }

export class LiveClient {
  readonly socket: LiveSocket
  /** Tokens whose books and trades the page wants. */
  subs: ReadonlySet<string> = new Set<string>()
  /** Tokens subscribed since the last flush: their whole book goes out next flush. */
  fresh: string[] = []
  /** The initial batch (hello, health, account, alerts) has been sent. */
  ready = false
  /** Skipped at the last flush because its socket was backed up. */
  behind = false
  /** Backlog overflowed: messages were dropped. */
  lost = false
  dropped = 0
  private _backlog: string[] = []
  private _backlogBytes = 0
  private readonly _limits: BacklogLimits

  constructor(socket: LiveSocket, limits: BacklogLimits) {
    this.socket = socket
    this._limits = limits
  }

  get backlogLength(): number {
    return this._backlog.length
  }

  get backlogBytes(): number {
    return this._backlogBytes
  }

  /** Wants messages about `tokenId` (null = messages for everyone). */
  wants(tokenId: string | null): boolean {
    return tokenId === null || this.subs.has(tokenId)
  }

  /** Keeps a message for later, or drops it when the backlog is full. */
  keep(json: string): void {
    if (
      this._backlog.length >= this._limits.maxMessages ||
      this._backlogBytes + json.length > this._limits.maxBytes
    ) {
      this.lost = true
      this.dropped++
      return
    }
    this._backlog.push(json)
    this._backlogBytes += json.length
  }

  /** Moves the backlog into `parts` and empties it. */
  drainInto(parts: string[]): void {
    for (const json of this._backlog) parts.push(json)
    this._backlog = []
    this._backlogBytes = 0
  }

  subscribe(tokens: readonly string[]): void {
    const next = new Set(tokens)
    for (const token of next) if (!this.subs.has(token)) this.fresh.push(token)
    this.subs = next
  }

  send(parts: readonly string[]): boolean {
    if (parts.length === 0 || this.socket.readyState !== OPEN) return false
    this.socket.send(`[${parts.join(',')}]`)
    return true
  }
}
