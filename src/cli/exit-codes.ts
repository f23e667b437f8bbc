/** DESIGN.md §5. A deploy gate relies on these; change them only with the contract. */
export const ExitCode = {
  Ok: 0,
  /** A step failed (from diagnosis) or an action was refused. */
  Failed: 1,
  /** Usage or config error, unknown or ambiguous service. */
  Usage: 2,
  /** Evidence could not be collected at all. */
  NothingCollected: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
