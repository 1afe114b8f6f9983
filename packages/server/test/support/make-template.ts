import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

// An initialised, empty PGlite data directory, dumped once per `npm test` run. Tests restore it in memory
// and apply migrations themselves, so the migrations under test are always the ones in the tree.
const target = process.argv[2];
if (!target) throw new Error('usage: make-template.ts <file>');
const db = new PGlite();
await db.waitReady;
const dump = await db.dumpDataDir('none');
writeFileSync(target, Buffer.from(await dump.arrayBuffer()));
await db.close();
