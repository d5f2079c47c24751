#!/usr/bin/env node
// Entry point: registers the TypeScript loader (suite files are TypeScript too, wherever they
// live, in ES module or CommonJS packages), then runs the CLI.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
await import('../src/cli/main.ts');
