#!/usr/bin/env node
// `npx jira-sync`: Node 20 cannot run TypeScript by itself, so tsx's ESM loader (a devDependency, as for
// `npm start`) is registered first and the CLI's TypeScript entry is imported through it.
import { register } from 'tsx/esm/api';

register();
await import('./jira-sync.ts');
