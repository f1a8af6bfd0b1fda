/** `orchestrator/prd`: Markdown PRDs → a task-master task graph. */
export { formatProblem, PrdError, type PrdProblem } from "./errors.ts";
export { type ParsedPrds, type PrdInput, parsePrds } from "./parse.ts";
export { readPrdFiles } from "./read.ts";
