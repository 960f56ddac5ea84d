#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx, then hand over to the CLI.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../app/cli.ts');
await main(process.argv.slice(2));
