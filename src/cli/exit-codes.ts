/** DESIGN.md §5. A deploy gate relies on these; change them only with the contract. */
export const ExitCode = {
  Ok: 0,
  /** Degraded or failing (a deploy gate stops), or an action was refused. */
  Failed: 1,
  /** Usage or config error, unknown or ambiguous service. */
  Usage: 2,
  /** The steps that decide the verdict could not be collected (or nothing could). */
  NothingCollected: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
