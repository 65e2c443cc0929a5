/**
 * The NHL tick parquet rows read straight with hyparquet, independently of the importer's own
 * reader, so tests can check the importer and replay against the source data.
 */
import { readFile } from 'node:fs/promises'
import { parquetRead } from 'hyparquet'

export type NhlRow = {
  ts: number
  price: number
  size: number
  bestBid: number
  bestAsk: number
  side: string
  type: string
  asset: string
}

export async function readNhlRows(path: string): Promise<NhlRow[]> {
  const bytes = await readFile(path)
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  return new Promise((resolve, reject) => {
    parquetRead({
      file,
      rowFormat: 'object',
      onComplete: (rows) =>
        resolve(
          rows.map((r) => ({
            ts: (r.timestamp as Date).getTime(),
            price: r.price as number,
            size: r.size as number,
            bestBid: r.best_bid as number,
            bestAsk: r.best_ask as number,
            side: r.side as string,
            type: r.event_type as string,
            asset: r.asset_id as string,
          })),
        ),
    }).catch(reject)
  })
}
