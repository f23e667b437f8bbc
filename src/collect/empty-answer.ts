/**
 * An AWS answer that parsed but lacks what every real answer of that call carries: DescribeServices names each
 * service it was asked about in `services` or `failures` (reason MISSING), DescribeTasks each task in `tasks` or
 * `failures`, and ListTasks always has `taskArns` (empty when there are none). Such an answer means "unknown", never
 * "no such service" or "no tasks"; step errors classify it as a malformed response (src/aws/step-error.ts).
 */
export class EmptyAnswerError extends Error {
  override readonly name = "EmptyAnswerError";
}
