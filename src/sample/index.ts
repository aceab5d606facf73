export * from './scenario.js';
export * from './ground-truth.js';
export * from './check.js';
export * from './generate.js';
