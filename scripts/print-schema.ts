// Prints the schema, sorted, to schema.graphql; with --check, fails when the committed file differs.
import fs from 'node:fs'
import { printSortedSchema } from '../src/schema.js'

const file = new URL('../schema.graphql', import.meta.url)
const printed = printSortedSchema()
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  if (committed !== printed) {
    console.error('schema.graphql is out of date: run `npm run schema:print` and commit it')
    process.exit(1)
  }
  console.log('schema.graphql is up to date')
} else {
  fs.writeFileSync(file, printed)
  console.log('wrote schema.graphql')
}
