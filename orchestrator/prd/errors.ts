/** Problems found in PRD files, addressed by file and 1-based line so an editor can jump to them. */
export interface PrdProblem {
  file: string;
  line: number;
  message: string;
}

export function formatProblem(problem: PrdProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}

/** The PRDs cannot become a task graph (missing targets, self references, cycles, ambiguous names). */
export class PrdError extends Error {
  readonly problems: PrdProblem[];

  constructor(problems: PrdProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "PrdError";
    this.problems = problems;
  }
}
