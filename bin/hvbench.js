#!/usr/bin/env node
// Entry point: registers the TypeScript loader (suite files are TypeScript too), then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
