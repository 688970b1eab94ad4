#!/usr/bin/env node
// The `cdsp` command. Runs the TypeScript sources through tsx's loader (no separate build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
