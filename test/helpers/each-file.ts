// Vitest set-up file, run in every test file: after the file's tests, wait for the PostgreSQL test databases it
// cloned to be dropped (see pg-template.ts), so clones never pile up across files.
import { afterAll } from 'vitest';
import { droppedAll } from './pg-template.ts';

afterAll(droppedAll);
