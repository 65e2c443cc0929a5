#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = new URL('../dist/app/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'tiltmeter is not built yet: run `npm ci` (or `npm run build`) in the project folder first.\n',
  )
  process.exit(1)
}
const { main } = await import(entry.href)
process.exitCode = await main(process.argv.slice(2))
