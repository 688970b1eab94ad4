// Types for eslint.config.js, so tests can import the boundary rules it exports.
import type { Linter } from 'eslint';

export declare const boundaryConfig: Linter.Config;
declare const config: Linter.Config[];
export default config;
