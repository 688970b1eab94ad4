/**
 * The register generator: a tool (CLI `cdsp des generate`, demo seeding, benchmarks, tests), not a register rule.
 * Deterministic synthetic register files and next-day change files in the load format.
 */
export * from './generator.ts';
