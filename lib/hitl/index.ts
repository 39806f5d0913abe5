// The public surface of the domain core. Pure: no framework, no database, no file system;
// the clock and ids are passed in (lib/hitl/boundary.test.ts keeps it so).
export * from "./audit";
export { canonicalJson, sha256Hex } from "./canonical";
export * from "./config-schema";
export { GLOB_MAX_LENGTH, globProblem } from "./glob";
export * from "./grants";
export * from "./permissions";
export * from "./policy";
export * from "./request";
export * from "./risk";
export type { NotifyChannel, RuleSetView } from "./rule-view";
export * from "./state-machine";
export * from "./types";
