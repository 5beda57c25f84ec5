#!/usr/bin/env node
// `npm run bench`: runs bench/run.ts through tsx's loader, like bin/relief.js does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
