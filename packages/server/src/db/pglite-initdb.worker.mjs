// Runs PGlite's first-time initdb in a worker thread. initdb grows the WebAssembly heap to ~800 MB; doing it in
// a worker that then exits hands that memory back, so the server keeps only what a warm start needs (~150 MB).
import { workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const db = new PGlite(workerData.dataDir);
await db.waitReady;
await db.close();
