// load.mjs — the DuckDB reference of bench/bench_targets.py (not a test):
// read_csv of FILE into the table leads_ref of a new database file DB, every
// column as text (all_varchar: DuckDB then validates nothing, as
// `sqlite3 .import`), on THREADS threads (default 2, the machine's cores).
// Prints the table's row count.
//
//   node bench/duckdb/load.mjs FILE DB [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, db, threads = '2'] = process.argv.slice(2);
if (!file || !db) {
  console.error('usage: node load.mjs FILE DB [THREADS]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(db, { threads });
const con = await instance.connect();
const quoted = file.replace(/'/g, "''");
await con.run(`CREATE TABLE leads_ref AS SELECT * FROM read_csv('${quoted}', all_varchar = true, header = true)`);
const count = await con.runAndReadAll('SELECT count(*) FROM leads_ref');
console.log(String(count.getRows()[0][0]));
