// load.mjs — the DuckDB reference of bench/bench_targets.py (not a test):
// read_csv of FILE into the table leads_ref of a new database file DB, every
// column as text (all_varchar: DuckDB then validates nothing, as
// `sqlite3 .import`), on THREADS threads (default 2, the machine's cores).
// Prints the table's row count. Each --index COLUMN then builds an index on
// that column (bench_targets.py names the e-mail, phone and external id
// columns: the keys a CRM's table of leads is searched by, and
// leadimport's import builds).
//
//   node bench/duckdb/load.mjs FILE DB [THREADS] [--index COLUMN]...
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const index = [];
for (let i = args.indexOf('--index'); i >= 0; i = args.indexOf('--index')) {
  index.push(args[i + 1]);
  args.splice(i, 2);
}
const [file, db, threads = '2'] = args;
if (!file || !db) {
  console.error('usage: node load.mjs FILE DB [THREADS]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(db, { threads });
const con = await instance.connect();
const quoted = file.replace(/'/g, "''");
await con.run(`CREATE TABLE leads_ref AS SELECT * FROM read_csv('${quoted}', all_varchar = true, header = true)`);
for (const [i, column] of index.entries()) {
  await con.run(`CREATE INDEX leads_ref_key${i} ON leads_ref("${column.replace(/"/g, '""')}")`);
}
const count = await con.runAndReadAll('SELECT count(*) FROM leads_ref');
console.log(String(count.getRows()[0][0]));
