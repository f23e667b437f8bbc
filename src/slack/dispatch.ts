import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { awsCall } from "../aws/aws-call";
import type { DiagnoseJob } from "./job";

/** Hands a job to whoever runs it: the worker Lambda in production, the same process in Socket Mode. */
export type Dispatch = (job: DiagnoseJob) => Promise<void>;

/**
 * Asynchronous invoke (InvocationType Event): Lambda queues the job and answers 202 at once, so the Slack function
 * can ack well inside Slack's 3 seconds while the diagnosis runs for as long as it needs.
 */
export function lambdaDispatch(lambda: LambdaClient, functionName: string): Dispatch {
  return async (job) => {
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
