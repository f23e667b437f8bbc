import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { awsCall } from "../aws/aws-call";
import type { Job } from "./job";

/**
 * Hands a job to whoever runs it: in production the `worker` Lambda (diagnoses, read-only) or the `actions` Lambda
 * (the only role that may change a service); the same process in Socket Mode.
 */
export type Dispatch = (job: Job) => Promise<void>;

/**
 * Asynchronous invoke (InvocationType Event): Lambda queues the job and answers 202 at once, so the Slack function
 * can ack well inside Slack's 3 seconds while the diagnosis runs for as long as it needs.
 */
export function lambdaDispatch(
  lambda: LambdaClient,
  functions: { worker: string; actions?: string | undefined },
): Dispatch {
  return async (job) => {
    const functionName = job.kind === "action" ? functions.actions : functions.worker;
    if (!functionName) throw new Error("ACTIONS_FUNCTION_NAME is not set: guarded actions are not deployed");
    const out = await awsCall("lambda:InvokeFunction", () =>
      lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: "Event",
          Payload: new TextEncoder().encode(JSON.stringify(job)),
        }),
      ),
    );
    if (out.StatusCode !== 202)
      throw new Error(`lambda:InvokeFunction answered ${out.StatusCode ?? "no status"} instead of 202`);
  };
}
