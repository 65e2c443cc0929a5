/**
 * Batches output lines into large writes: one `write` per line costs more than building the
 * line when replay emits hundreds of thousands of them.
 */
import type { Writable } from 'node:stream'

const FLUSH_CHARS = 1 << 16

export class LineWriter {
  private readonly _out: Writable
  private _buffer = ''
  lines = 0

  constructor(out: Writable) {
    this._out = out
  }

  line(text: string): void {
    this._buffer += text
    this._buffer += '\n'
    this.lines++
    if (this._buffer.length >= FLUSH_CHARS) this.flush()
  }

  flush(): void {
    if (this._buffer.length === 0) return
    this._out.write(this._buffer)
    this._buffer = ''
  }

  /** Flushes and waits until the stream has taken everything. */
  async end(): Promise<void> {
    this.flush()
    await new Promise<void>((resolve, reject) => {
      this._out.write('', (e) => (e ? reject(e) : resolve()))
    })
  }
}
